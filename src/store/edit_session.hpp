#pragma once
// One edit of an existing database (update, delete): a write transaction with the triggers
// installed, so product_counts and the state follow every change, and a runs row that
// records what the edit did.
#include <cstdint>
#include <string>

#include "store/products.hpp"
#include "store/sqlite.hpp"

namespace lfp::store {

struct EditCounts {
  std::int64_t inserted = 0, updated = 0, unchanged = 0, deleted = 0;
};

class EditSession {
 public:
  // Error(kExitOutput) when the database is missing (it is never created here) or not ours.
  EditSession(const std::string& path, std::string kind, std::string command);
  ProductTable& products() { return products_; }
  // Records the run and commits; returns the run id.
  std::int64_t commit(const EditCounts& counts);

 private:
  std::string kind_, command_, started_at_;
  Connection db_;
  Transaction transaction_;
  ProductTable products_;
};

}  // namespace lfp::store
