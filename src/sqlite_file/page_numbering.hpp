#pragma once
// Page numbers with the lock-byte page left out. SQLite never uses the page holding file
// offset 0x40000000 (its "pending byte", where the OS file locks live), so a database of more
// than 1 GiB has a hole there: every writer lays pages out as a dense sequence (0, 1, 2, ...)
// and maps a sequence index to a page number through here.
#include <cstdint>

namespace lfp::sqlite_file {

inline constexpr std::uint64_t kPendingByte = 0x40000000;

// Throws Error unless `page_size` is a power of two from 512 to 65536 (the format's sizes).
void check_page_size(std::uint32_t page_size);

class PageNumbering {
 public:
  // `pending_byte` is settable for tests only (SQLite's SQLITE_TESTCTRL_PENDING_BYTE moves
  // its side the same way); it must be a multiple of 512 and at least one page in.
  explicit PageNumbering(std::uint32_t page_size, std::uint64_t pending_byte = kPendingByte);

  std::uint32_t page_size() const { return page_size_; }
  // The page that is never used.
  std::uint32_t lock_page() const { return lock_page_; }
  // Sequence index 0 is page 1; the lock page is skipped. Throws Error when the page number
  // would exceed SQLite's largest (2^32 - 2).
  std::uint32_t page_of(std::uint64_t sequence) const;
  // The inverse, for a page that is not the lock page.
  std::uint64_t sequence_of(std::uint32_t page) const { return page < lock_page_ ? page - 1 : std::uint64_t{page} - 2; }
  // The database size in pages when `sequence_count` pages are used (the lock page counted).
  std::uint32_t pages_for(std::uint64_t sequence_count) const {
    return sequence_count == 0 ? 0 : page_of(sequence_count - 1);
  }

 private:
  std::uint32_t page_size_;
  std::uint32_t lock_page_;
};

}  // namespace lfp::sqlite_file
