#pragma once
// Phase 8a for the snapshot of a new database: every rank compresses the snapshot's chunks
// of its own slice of the products and counts (store/h5_slice.hpp), so rank 0 only copies
// finished chunks into the HDF5 file (write_on_root). Compression was most of rank 0's serial
// part; here it runs on all ranks at once.
#include <vector>

#include "mpi/comm.hpp"
#include "records/row_codec.hpp"
#include "store/h5_columns.hpp"
#include "util/buffer.hpp"

namespace lfp {

struct SnapshotChunks {
  store::H5ColumnSizes totals{};  // the whole columns' sizes (the same on every rank)
  Buffer chunks;                  // this rank's finished chunks (store::append_chunk records)
};

// Collective. `products`: this rank's slice of the products, by sku, with their text bytes;
// `counts`: its slice of the counts, by name (the ranks' slices follow each other in rank
// order).
SnapshotChunks build_snapshot_chunks(const mpi::Comm& comm, const std::vector<RowRef>& products, const TextBytes& text,
                                     const std::vector<NameCount>& counts, std::size_t round_bytes);

}  // namespace lfp
