#pragma once
// Rank 0, inside the write's transaction (issue 20): each file read gets its new chunk list
// in the ledger; the skus its old version held and its new one does not are found (by their
// hashes, then by a look through the products for their names) and recorded in `vanished`;
// with --prune those no file in the ledger holds any more are deleted, through the products
// view, whose triggers keep the counts and totals.
#include <cstdint>
#include <vector>

#include "ingest/changed_records.hpp"
#include "store/sqlite.hpp"

namespace lfp {

struct LedgerOutcome {
  std::int64_t vanished = 0, pruned = 0;
};

LedgerOutcome update_source_ledger(store::Connection& db, const std::vector<FileChanges>& files, std::int64_t run_id,
                                   bool prune);

}  // namespace lfp
