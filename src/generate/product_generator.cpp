#include "generate/product_generator.hpp"

#include <array>
#include <cstddef>
#include <cstring>
#include <span>

#include "generate/vocabulary.hpp"
#include "util/hash.hpp"

namespace lfp::generate {
namespace {

// Each decision family gets its own key so that, e.g., whether a record repeats a sku is
// independent of how its description looks, and can be recomputed alone when following
// repeat chains.
enum class Purpose : std::uint64_t { Repeat = 1, SkuShape = 2, SkuWords = 3, Body = 4 };

// The golden ratio in 64 bits: splitmix64's stream increment.
constexpr std::uint64_t kGolden = 0x9e3779b97f4a7c15ULL;

constexpr std::uint64_t purpose_key(std::uint64_t seed, Purpose purpose) {
  return mix64(seed ^ mix64(static_cast<std::uint64_t>(purpose) * kGolden));
}

// A splitmix64 stream started from (seed, purpose, index): all randomness of a record comes
// from counters, never from state carried over from other records.
class Stream {
 public:
  Stream(std::uint64_t seed, Purpose purpose, std::uint64_t index)
      : state_{mix64(purpose_key(seed, purpose) ^ index)} {}

  std::uint64_t next() { return mix64(state_ += kGolden); }
  std::uint64_t below(std::uint64_t n) { return lfp::below(next(), n); }

  // Like below() for small n (word picks), spending 32 random bits per call: halves the
  // mixing work of the description, the hot loop. The bias, n / 2^32, is negligible.
  std::uint32_t below_small(std::uint32_t n) {
    if (spare_bits_ == 0) {
      spare_ = next();
      spare_bits_ = 64;
    }
    const auto bits = static_cast<std::uint32_t>(spare_);
    spare_ >>= 32;
    spare_bits_ -= 32;
    return static_cast<std::uint32_t>((static_cast<std::uint64_t>(bits) * n) >> 32);
  }

 private:
  std::uint64_t state_;
  std::uint64_t spare_ = 0;
  unsigned spare_bits_ = 0;
};

// Collects one record in a stack buffer so the hot loop does plain stores instead of
// std::string's out-of-line append (~13% fewer instructions); `out` grows once per record.
// Flushes early if a record ever outgrows the buffer, so no bound on word length is assumed.
class Sink {
 public:
  explicit Sink(std::string& out) : out_{out} {}
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  void put(char c) {
    if (pos_ == buffer_.size()) flush();
    buffer_[pos_++] = c;
  }
  void put(std::string_view text) {
    if (buffer_.size() - pos_ < text.size()) flush();
    if (text.size() > buffer_.size()) {
      out_ += text;
      return;
    }
    std::memcpy(buffer_.data() + pos_, text.data(), text.size());
    pos_ += text.size();
  }
  // Vocabulary words are non-empty lowercase ASCII, so this is a safe capitalization.
  void put_capitalized(std::string_view word) {
    put(static_cast<char>(word.front() - 'a' + 'A'));
    put(word.substr(1));
  }

  void flush() {
    out_.append(buffer_.data(), pos_);
    pos_ = 0;
  }

 private:
  std::string& out_;
  std::size_t pos_ = 0;
  std::array<char, 4096> buffer_;
};

// A small discrete distribution: value `first + i` has weight `weights[i]`, in percent.
// Expanded into a 100-entry table so a draw is one random pick and one load.
template <std::size_t N>
class Percentages {
 public:
  constexpr Percentages(unsigned first, const std::array<unsigned, N>& weights) {
    std::size_t slot = 0;
    for (std::size_t i = 0; i < N; ++i) {
      const auto value = static_cast<unsigned char>(first + i);
      for (unsigned w = 0; w < weights[i]; ++w) table_.at(slot++) = value;
    }
    if (slot != table_.size()) throw "weights must sum to 100";  // fails constant evaluation
  }

  unsigned draw(Stream& stream) const { return table_[stream.below_small(100)]; }

 private:
  std::array<unsigned char, 100> table_{};
};

// Shapes measured on the 2,000-record sample of the real file (sentences per paragraph are
// allowed to reach 5, which the sample only hints at).
constexpr Percentages<3> k_sku_words{2, {{38, 55, 7}}};
constexpr Percentages<4> k_paragraphs{1, {{40, 51, 8, 1}}};
constexpr Percentages<5> k_sentences{1, {{12, 44, 37, 6, 1}}};
constexpr Percentages<6> k_sentence_words{3, {{10, 22, 20, 20, 20, 8}}};

// Share of records (after record 0) that deliberately reuse an earlier sku, as 2^-64 fractions.
constexpr std::uint64_t k_repeat_threshold = static_cast<std::uint64_t>(0.07 * 18446744073709551616.0);

// The record whose freshly drawn sku `index` prints: itself, or, for a deliberate repeat, the
// end of the chain of repeats, so the printed sku really occurred at a smaller index.
// Each hop goes to a uniformly chosen smaller index, so chains are short (~1.08 hops).
std::uint64_t sku_origin(std::uint64_t seed, std::uint64_t index) {
  while (index != 0) {
    Stream stream{seed, Purpose::Repeat, index};
    if (stream.next() >= k_repeat_threshold) break;
    index = stream.below(index);
  }
  return index;
}

constexpr unsigned k_max_sku_words = 4;
// Word indices are packed 16 bits apiece into one 64-bit Feistel state; the vocabulary has
// far fewer than 2^16 words.
constexpr unsigned k_digit_bits = 16;
constexpr std::uint64_t k_digit_mask = (std::uint64_t{1} << k_digit_bits) - 1;
static_assert(k_max_sku_words * k_digit_bits <= 64);

// Puts the sku that record `origin` introduces. Its words are the base-V digits of
// `origin mod V^k` passed through a seed-keyed bijection, so two records with the same word
// count get different skus as long as the file has fewer than V^k records (V^2 is ~940,000):
// accidental collisions, which random drawing would make common among 2-word skus, stay out.
void put_sku(std::uint64_t seed, std::uint64_t origin, std::span<const std::string_view> vocab, Sink& out) {
  Stream shape{seed, Purpose::SkuShape, origin};
  const unsigned count = k_sku_words.draw(shape);
  const std::uint64_t base = vocab.size();

  std::uint64_t space = 1;
  for (unsigned i = 0; i < count; ++i) space *= base;
  std::uint64_t rest = origin % space;
  std::uint64_t packed = 0;
  for (unsigned i = 0; i < count; ++i) {
    packed |= (rest % base) << (k_digit_bits * i);
    rest /= base;
  }

  // Unbalanced Feistel rounds over the digits: adding a keyed function of the other digits
  // to one digit is invertible, so the whole map stays a permutation of [0, V^k); three
  // rounds are enough for neighbouring indices to get unrelated words.
  const std::uint64_t key = purpose_key(seed, Purpose::SkuWords) ^ count;
  for (unsigned round = 0; round < 3; ++round) {
    for (unsigned i = 0; i < count; ++i) {
      const unsigned shift = k_digit_bits * i;
      const std::uint64_t others = packed & ~(k_digit_mask << shift);
      const std::uint64_t step = round * k_max_sku_words + i + 1;
      std::uint64_t digit = ((packed >> shift) & k_digit_mask) + below(mix64(key ^ (others + step * kGolden)), base);
      if (digit >= base) digit -= base;
      packed = others | (digit << shift);
    }
  }

  for (unsigned i = 0; i < count; ++i) {
    if (i != 0) out.put('-');
    out.put(vocab[(packed >> (k_digit_bits * i)) & k_digit_mask]);
  }
}

void put_description(Stream& stream, std::span<const std::string_view> vocab, Sink& out) {
  const auto vocab_size = static_cast<std::uint32_t>(vocab.size());
  const unsigned paragraphs = k_paragraphs.draw(stream);
  // Only multi-paragraph descriptions hold a line break, and only those need quoting.
  if (paragraphs > 1) out.put('"');
  for (unsigned p = 0; p < paragraphs; ++p) {
    if (p != 0) out.put('\n');
    const unsigned sentences = k_sentences.draw(stream);
    for (unsigned s = 0; s < sentences; ++s) {
      if (s != 0) out.put(' ');
      const unsigned count = k_sentence_words.draw(stream);
      out.put_capitalized(vocab[stream.below_small(vocab_size)]);
      for (unsigned w = 1; w < count; ++w) {
        out.put(' ');
        out.put(vocab[stream.below_small(vocab_size)]);
      }
      out.put('.');
    }
  }
  if (paragraphs > 1) out.put('"');
}

}  // namespace

std::string_view header() { return "name,sku,description\r\n"; }

void append_record(std::uint64_t seed, std::uint64_t index, std::string& out) {
  const std::span<const std::string_view> vocab = words();
  const std::span<const std::string_view> firsts = first_names();
  const std::span<const std::string_view> lasts = last_names();

  Sink sink{out};
  Stream body{seed, Purpose::Body, index};
  sink.put(firsts[body.below(firsts.size())]);
  sink.put(' ');
  sink.put(lasts[body.below(lasts.size())]);
  sink.put(',');
  put_sku(seed, sku_origin(seed, index), vocab, sink);
  sink.put(',');
  put_description(body, vocab, sink);
  sink.put("\r\n");
  sink.flush();
}

}  // namespace lfp::generate
