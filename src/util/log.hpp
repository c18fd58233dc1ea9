#pragma once
// The one place that formats what lfp_mpi prints: "lfp_mpi: ..." on stdout for results,
// "lfp_mpi: error: ..." (or "lfp_mpi: rank N: error: ..." off rank 0) on stderr.
#include <cstdint>
#include <string>

namespace lfp::log {

// An error found by `rank` (pass 0 for rank 0 or a single-process command).
void error(int rank, const std::string& message);
// The first error this process printed ("" if none): what a failed run's JSON report says.
std::string first_error();
// A warning on stderr (rank 0 only prints these).
void warning(const std::string& message);
// A line of output on stdout, "lfp_mpi: " + message.
void info(const std::string& message);
// Sends info() lines to stderr from now on, so that stdout holds only a machine-readable
// result (`ingest --json-report -`).
void results_to_stderr();
// A line on stderr that is not an error (rejected records, notes).
void note(const std::string& message);

// The text of an error line as error() prints it from rank 0 ("lfp_mpi: error: ..."), for
// messages printed by others (CLI11's parse errors).
std::string error_line(const std::string& message);

// Called before each line is printed (the progress reporter clears its live line); nullptr
// for none.
void set_before_print(void (*hook)());

// A count and its noun, "1 file", "2 files", "0 files": every message that prints a count
// says it through this. `plural` for a noun that does not just take an s.
std::string count(std::int64_t n, const std::string& noun, const std::string& plural = "");

// printf-style formatting into a std::string.
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace lfp::log
