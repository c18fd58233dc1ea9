#pragma once
// Reading .gz and .zst inputs exactly: the format is recognized by its magic bytes (not the
// file name), and the whole stream is decompressed, every gzip member and every zstd frame,
// as gzip -dc and zstd -dc would. Neither format can be entered at an arbitrary offset, so a
// compressed file is decompressed once, whole, and its bytes are then read like a plain file.
#include <cstdint>
#include <string>
#include <string_view>

namespace lfp {

enum class Compression { None, Gzip, Zstd };

// The compression of a file whose first bytes are `head` (at least 4 bytes to recognize zstd).
Compression sniff_compression(std::string_view head);
// The compression of the file at `path`, from its first bytes (None if it cannot be read).
Compression compression_of(const std::string& path);
const char* compression_name(Compression c);

// Decompresses the file at `path` and appends its bytes to the open descriptor `out_fd`,
// calling on_bytes(compressed_read, decompressed_written) as it goes. Returns the number of
// decompressed bytes. Throws Error(kExitInput) naming the file for a corrupt or truncated
// stream, and Error(kExitOutput) naming `out_label` when the output cannot be written.
using ProgressFn = void (*)(void* context, std::uint64_t compressed, std::uint64_t decompressed);
std::uint64_t decompress_file(const std::string& path, Compression c, int out_fd, const std::string& out_label,
                              ProgressFn on_bytes = nullptr, void* context = nullptr);

}  // namespace lfp
