#pragma once
// Memory sizes as people write them on HPC command lines: "4G", "512M", "1.5GiB", "800"
// (a bare number is MiB, as for Slurm's --mem-per-cpu). Units are binary (K = 1024).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lfp {

// The size in bytes, or nothing when `text` is not a size (or is zero, or overflows).
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

// "1.5 GiB", "512 MiB", "800 KiB", "12 bytes": for messages.
std::string format_byte_size(std::uint64_t bytes);

}  // namespace lfp
