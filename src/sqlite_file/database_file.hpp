#pragma once
// Page 1 of a database: the 100-byte database header ("Database File Format", 1.3) and the
// sqlite_schema table b-tree's root, a table leaf page (type 0x0D) of rows (type, name,
// tbl_name, rootpage, sql) with rowids 1, 2, 3, ...
//
// Only the big b-trees built by hand go here; SQLite itself adds the rest of the schema when
// the file is opened and the usual CREATE ... IF NOT EXISTS statements run (it splits page 1
// as needed then). So page 1 holds a few hundred bytes of schema and must fit on one leaf:
// encode_first_page() refuses a schema that does not (with 4 objects that takes a page size
// of 1024 or more), rather than supporting an interior sqlite_schema page nobody needs.
#include <cstdint>
#include <span>
#include <string>

#include "sqlite_file/record.hpp"

namespace lfp::sqlite_file {

struct SchemaEntry {
  std::string type;  // "table" or "index"
  std::string name;
  std::string table;  // tbl_name
  std::uint32_t root = 0;
  std::string sql;  // exactly as SQLite stores it (CREATE ... without IF NOT EXISTS, no ';')
};

struct HeaderFields {
  std::uint32_t page_size = 4096;
  std::uint32_t database_pages = 0;  // the whole file, lock page included
  std::uint32_t change_counter = 1;  // also written as version-valid-for, so the size is trusted
  std::uint32_t schema_cookie = 1;
  std::uint32_t sqlite_version = 3040001;  // SQLITE_VERSION_NUMBER of the writer (informational)
};

// The 100-byte header alone.
Bytes encode_header(const HeaderFields& fields);
// The root page of an empty b-tree: a table leaf (0x0D, a rowid table) or an index leaf
// (0x0A, an index or a WITHOUT ROWID table) without cells.
Bytes encode_empty_leaf(std::uint32_t page_size, bool table);
// Page 1: the header and the schema rows. Throws Error when they do not fit one page.
Bytes encode_first_page(const HeaderFields& fields, std::span<const SchemaEntry> schema);

}  // namespace lfp::sqlite_file
