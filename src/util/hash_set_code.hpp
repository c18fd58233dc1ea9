#pragma once
// A compact code for sets of hashes (a chunk's record and sku hashes, kept in a SQLite BLOB):
// Golomb-Rice coding of the sorted values' deltas. n random `bits`-bit values take about
// bits - log2(n) + 1.6 bits each instead of bits, and decode at memory speed.
//
// The code describes itself: a varint of the count, one byte of `bits`, one byte of the Rice
// parameter k, then the deltas, least significant bit first in little-endian 64-bit words:
// each delta d as d >> k in unary (that many 1 bits, then a 0) and its k low bits. A quotient
// of 64 or more (only adversarial spacing: k suits the mean delta) is escaped as 64 ones and
// the whole delta in `bits` bits, so no value takes more than 64 + bits bits.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lfp {

// The code of `values` as a multiset of `bits`-bit values (1 <= bits <= 64, else
// Error(kExitInternal)): each value is masked to its `bits` low bits first; duplicates are kept.
std::string encode_hash_set(std::vector<std::uint64_t> values, int bits);

// The values of a code, sorted ascending. A truncated or corrupt code (bad header, bits left
// over, a value past 2^bits) throws Error(kExitOutput), as other unreadable stored data does;
// it never reads outside `code`.
std::vector<std::uint64_t> decode_hash_set(std::string_view code);

}  // namespace lfp
