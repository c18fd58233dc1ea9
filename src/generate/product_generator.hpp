#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lfp::generate {

// The header line of every generated file, CRLF-terminated: "name,sku,description\r\n".
std::string_view header();

// Appends record `index` (0-based) of the data set identified by `seed` to `out`, CRLF-terminated.
// Pure function of (seed, index): any process can produce any record, so ranks can generate
// disjoint index ranges in parallel and the file is identical for every rank count.
//
// Shape, modelled on the real products file: name is "First Last"; sku is 2 to 4 lowercase
// words joined by '-', distinct across records except that about 7% of records (never record 0)
// repeat the sku of a smaller index; description is 1 to 4 paragraphs joined by a bare LF,
// quoted exactly when it has more than one paragraph. Values never contain '"' or ',', so no
// escaping is needed.
void append_record(std::uint64_t seed, std::uint64_t index, std::string& out);

}  // namespace lfp::generate
