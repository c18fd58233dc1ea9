#include "sqlite_file/database_file.hpp"

#include <cstring>

#include "sqlite_file/page_numbering.hpp"
#include "sqlite_file/payload.hpp"
#include "util/error.hpp"

namespace lfp::sqlite_file {

Bytes encode_header(const HeaderFields& f) {
  check_page_size(f.page_size);
  Bytes h(100, 0);
  std::memcpy(h.data(), "SQLite format 3", 16);                    // with its terminating NUL
  put_u16(h.data() + 16, f.page_size == 65536 ? 1 : f.page_size);  // 65536 is written as 1
  h[18] = 1;                                                       // write version: rollback journal (legacy), not WAL
  h[19] = 1;                                                       // read version
  h[20] = 0;                                                       // reserved bytes per page
  h[21] = 64;  // maximum embedded payload fraction (fixed by the format)
  h[22] = 32;  // minimum embedded payload fraction
  h[23] = 32;  // leaf payload fraction
  put_u32(h.data() + 24, f.change_counter);
  put_u32(h.data() + 28, f.database_pages);
  // 32, 36: no freelist; 40: schema cookie; 44: schema format 4 (DESC indexes, the 0 and 1
  // serial types); 48: default cache size 0; 52: no auto-vacuum; 56: UTF-8; 60: user version
  // 0; 64: no incremental vacuum; 68: application id 0; 72-91: reserved, zero.
  put_u32(h.data() + 40, f.schema_cookie);
  put_u32(h.data() + 44, 4);
  put_u32(h.data() + 56, 1);
  put_u32(h.data() + 92, f.change_counter);
  put_u32(h.data() + 96, f.sqlite_version);
  return h;
}

Bytes encode_empty_leaf(std::uint32_t page_size, bool table) {
  Bytes page(page_size, 0);
  page[0] = table ? 0x0d : 0x0a;
  put_u16(page.data() + 5, page_size == 65536 ? 0 : page_size);  // the (empty) content area starts at the end
  return page;
}

Bytes encode_first_page(const HeaderFields& fields, std::span<const SchemaEntry> schema) {
  Bytes page = encode_header(fields);
  const std::uint32_t size = fields.page_size;
  page.resize(size, 0);
  constexpr std::uint32_t kHeaderAt = 100, kLeafHeader = 8;
  const PayloadRule rule(size, PayloadTree::TableLeaf);
  std::uint32_t content = size;
  Bytes record, cell;
  for (std::size_t i = 0; i < schema.size(); ++i) {
    const auto& e = schema[i];
    const Value values[] = {std::string_view(e.type), std::string_view(e.name), std::string_view(e.table),
                            std::int64_t{e.root}, std::string_view(e.sql)};
    encode_record(values, record);
    cell.clear();
    append_varint(cell, record.size());
    append_varint(cell, i + 1);  // rowid
    cell.insert(cell.end(), record.begin(), record.end());
    const std::size_t pointers_end = kHeaderAt + kLeafHeader + 2 * (i + 1);
    if (rule.local_size(record.size()) != record.size() || pointers_end + cell.size() > content)
      throw Error(kExitInternal, "sqlite file: the schema rows do not fit page 1 at page size " + std::to_string(size) +
                                     " (row " + std::to_string(i + 1) + ", " + e.name + ", needs " +
                                     std::to_string(cell.size()) + " bytes)");
    content -= static_cast<std::uint32_t>(cell.size());
    std::memcpy(page.data() + content, cell.data(), cell.size());
    put_u16(page.data() + kHeaderAt + kLeafHeader + 2 * i, content);
  }
  page[kHeaderAt] = 0x0d;
  put_u16(page.data() + kHeaderAt + 3, static_cast<std::uint32_t>(schema.size()));
  put_u16(page.data() + kHeaderAt + 5, content == 65536 ? 0 : content);
  return page;
}

}  // namespace lfp::sqlite_file
