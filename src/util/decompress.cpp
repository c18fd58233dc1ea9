#include "util/decompress.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "util/error.hpp"
#include "util/fd.hpp"

namespace lfp {
namespace {

constexpr std::size_t kChunk = std::size_t{1} << 20;

// Reads up to `n` bytes; 0 only at end of file.
std::size_t read_some(int fd, char* buf, std::size_t n, const std::string& path) {
  for (;;) {
    const ssize_t got = ::read(fd, buf, n);
    if (got >= 0) return static_cast<std::size_t>(got);
    if (errno != EINTR) throw Error(kExitInput, path + ": cannot read: " + std::strerror(errno));
  }
}

void write_all(int fd, const char* p, std::size_t n, const std::string& label) {
  while (n > 0) {
    const ssize_t put = ::write(fd, p, n);
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) throw Error(kExitOutput, label + ": cannot write: " + std::strerror(put < 0 ? errno : ENOSPC));
    p += put;
    n -= static_cast<std::size_t>(put);
  }
}

struct Counters {
  ProgressFn fn;
  void* context;
  std::uint64_t in = 0, out = 0;
  void report() const {
    if (fn) fn(context, in, out);
  }
};

std::uint64_t gunzip(int in_fd, const std::string& path, int out_fd, const std::string& label, Counters& n) {
  z_stream z{};
  // 15 + 32: a zlib or gzip header, detected automatically.
  if (inflateInit2(&z, 15 + 32) != Z_OK) throw Error(kExitInternal, path + ": cannot start zlib");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, inflateEnd);
  std::vector<char> in(kChunk), out(kChunk);
  bool member_end = false;  // the last member ended, all its output written
  bool drained = true;      // the last call left room in `out`: inflate holds no pending output
  for (;;) {
    if (z.avail_in == 0 && drained) {
      const std::size_t got = read_some(in_fd, in.data(), in.size(), path);
      if (got == 0) break;
      n.in += got;
      n.report();
      z.next_in = reinterpret_cast<Bytef*>(in.data());
      z.avail_in = static_cast<uInt>(got);
    }
    if (member_end) {
      // Another gzip member follows (cat a.gz b.gz is a valid .gz file).
      inflateReset(&z);
      member_end = false;
    }
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
      throw Error(kExitInput, path + ": not a valid gzip stream near compressed byte " +
                                  std::to_string(n.in - z.avail_in) + ": " + (z.msg ? z.msg : "corrupt data"));
    const std::size_t made = out.size() - z.avail_out;
    write_all(out_fd, out.data(), made, label);
    n.out += made;
    member_end = rc == Z_STREAM_END;
    drained = z.avail_out != 0;
  }
  n.report();
  if (!member_end) throw Error(kExitInput, path + ": truncated gzip stream (it ends inside a member)");
  return n.out;
}

std::uint64_t unzstd(int in_fd, const std::string& path, int out_fd, const std::string& label, Counters& n) {
  std::unique_ptr<ZSTD_DCtx, std::size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!ctx) throw Error(kExitInternal, path + ": cannot start zstd");
  // Long-distance matching (zstd --long) needs windows above the default 128 MiB limit.
  ZSTD_DCtx_setParameter(ctx.get(), ZSTD_d_windowLogMax, 31);
  std::vector<char> in(ZSTD_DStreamInSize()), out(ZSTD_DStreamOutSize());
  std::size_t pending = 0;  // 0: the last frame is complete
  for (;;) {
    const std::size_t got = read_some(in_fd, in.data(), in.size(), path);
    if (got == 0) break;
    n.in += got;
    ZSTD_inBuffer ib{in.data(), got, 0};
    // Loop until the input is used and the output no longer fills (all flushed).
    bool full = true;
    while (ib.pos < ib.size || full) {
      ZSTD_outBuffer ob{out.data(), out.size(), 0};
      pending = ZSTD_decompressStream(ctx.get(), &ob, &ib);
      if (ZSTD_isError(pending))
        throw Error(kExitInput, path + ": not a valid zstd stream near compressed byte " +
                                    std::to_string(n.in - got + ib.pos) + ": " + ZSTD_getErrorName(pending));
      write_all(out_fd, out.data(), ob.pos, label);
      n.out += ob.pos;
      full = ob.pos == ob.size;
    }
    n.report();
  }
  if (pending != 0) throw Error(kExitInput, path + ": truncated zstd stream (it ends inside a frame)");
  return n.out;
}

}  // namespace

Compression sniff_compression(std::string_view head) {
  if (head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f && static_cast<unsigned char>(head[1]) == 0x8b)
    return Compression::Gzip;
  if (head.size() >= 4 && head.substr(0, 4) == std::string_view("\x28\xb5\x2f\xfd", 4)) return Compression::Zstd;
  return Compression::None;
}

Compression compression_of(const std::string& path) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY));
  if (!fd) return Compression::None;
  char head[4];
  const ssize_t n = ::pread(fd.get(), head, sizeof head, 0);
  return n > 0 ? sniff_compression(std::string_view(head, static_cast<std::size_t>(n))) : Compression::None;
}

const char* compression_name(Compression c) {
  switch (c) {
    case Compression::Gzip: return "gzip";
    case Compression::Zstd: return "zstd";
    case Compression::None: break;
  }
  return "none";
}

std::uint64_t decompress_file(const std::string& path, Compression c, int out_fd, const std::string& out_label,
                              ProgressFn on_bytes, void* context) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY));
  if (!fd) throw Error(kExitInput, path + ": cannot open: " + std::strerror(errno));
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  Counters n{on_bytes, context};
  switch (c) {
    case Compression::Gzip: return gunzip(fd.get(), path, out_fd, out_label, n);
    case Compression::Zstd: return unzstd(fd.get(), path, out_fd, out_label, n);
    case Compression::None: break;
  }
  throw Error(kExitInternal, path + ": not compressed");
}

}  // namespace lfp
