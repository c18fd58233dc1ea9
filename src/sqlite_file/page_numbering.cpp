#include "sqlite_file/page_numbering.hpp"

#include <string>

#include "util/error.hpp"

namespace lfp::sqlite_file {

void check_page_size(std::uint32_t page_size) {
  if (page_size < 512 || page_size > 65536 || (page_size & (page_size - 1)))
    throw Error(kExitInternal,
                "sqlite file: page size " + std::to_string(page_size) + " is not a power of two from 512 to 65536");
}

PageNumbering::PageNumbering(std::uint32_t page_size, std::uint64_t pending_byte) : page_size_(page_size) {
  check_page_size(page_size);
  if (pending_byte < page_size || pending_byte % 512)
    throw Error(kExitInternal, "sqlite page numbering: pending byte offset " + std::to_string(pending_byte) +
                                   " is not a multiple of 512 past the first page");
  lock_page_ = static_cast<std::uint32_t>(pending_byte / page_size + 1);
}

std::uint32_t PageNumbering::page_of(std::uint64_t sequence) const {
  const std::uint64_t page = sequence + 1 < lock_page_ ? sequence + 1 : sequence + 2;
  if (page > 0xfffffffeull)
    throw Error(kExitOutput, "sqlite file: page sequence index " + std::to_string(sequence) +
                                 " is past SQLite's largest page number (the database is too large for page size " +
                                 std::to_string(page_size_) + ")");
  return static_cast<std::uint32_t>(page);
}

}  // namespace lfp::sqlite_file
