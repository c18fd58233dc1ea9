#include "generate/product_generator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "generate/vocabulary.hpp"

namespace lfp::generate {
namespace {

constexpr std::uint64_t k_seed = 20240601;
constexpr std::uint64_t k_records = 20000;

std::string record(std::uint64_t seed, std::uint64_t index) {
  std::string out;
  append_record(seed, index, out);
  return out;
}

struct Field {
  std::string text;
  bool quoted = false;
};

// Minimal quote-aware splitter for exactly one CRLF-terminated record, independent of the
// project's CSV reader so the two cannot share a bug. The generator never emits '"' inside
// values, so doubled quotes are not handled. Returns nullopt for anything malformed.
std::optional<std::vector<Field>> split_record(std::string_view text) {
  std::vector<Field> fields;
  std::size_t i = 0;
  while (true) {
    Field field;
    if (i < text.size() && text[i] == '"') {
      field.quoted = true;
      const std::size_t close = text.find('"', i + 1);
      if (close == std::string_view::npos) return std::nullopt;
      field.text = std::string{text.substr(i + 1, close - i - 1)};
      i = close + 1;
    } else {
      const std::size_t end = std::min(text.find_first_of(",\r\n\"", i), text.size());
      field.text = std::string{text.substr(i, end - i)};
      i = end;
    }
    fields.push_back(std::move(field));
    if (i < text.size() && text[i] == ',') {
      ++i;
      continue;
    }
    if (text.substr(i) == "\r\n") return fields;
    return std::nullopt;
  }
}

std::vector<Field> fields_of(std::uint64_t seed, std::uint64_t index) {
  const std::string text = record(seed, index);
  auto fields = split_record(text);
  if (!fields) {
    ADD_FAILURE() << "malformed record " << index << ": " << text;
    return {};
  }
  return *fields;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

bool all_of_chars(std::string_view text, bool (*accept)(char)) {
  return !text.empty() && std::all_of(text.begin(), text.end(), accept);
}

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_letter(char c) { return is_lower(c) || (c >= 'A' && c <= 'Z'); }

TEST(ProductGenerator, HeaderIsTheCsvHeaderWithCrlf) { EXPECT_EQ(header(), "name,sku,description\r\n"); }

TEST(ProductGenerator, SameSeedAndIndexGiveTheSameBytes) {
  for (const std::uint64_t index :
       {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{17}, std::uint64_t{123456789}, std::uint64_t{1} << 40}) {
    EXPECT_EQ(record(k_seed, index), record(k_seed, index)) << "index " << index;
  }
}

TEST(ProductGenerator, AppendsAfterExistingContent) {
  std::string out = "prefix";
  append_record(k_seed, 5, out);
  EXPECT_EQ(out, "prefix" + record(k_seed, 5));
}

// What lets ranks split the file: a range generated on its own equals the same range
// cut out of a sequential run.
TEST(ProductGenerator, AnyRangeMatchesTheSequentialOutput) {
  std::string sequential;
  std::vector<std::size_t> offsets;
  for (std::uint64_t i = 0; i < 3000; ++i) {
    offsets.push_back(sequential.size());
    append_record(k_seed, i, sequential);
  }
  std::string range;
  for (std::uint64_t i = 1234; i < 3000; ++i) append_record(k_seed, i, range);
  EXPECT_EQ(range, sequential.substr(offsets[1234]));
}

TEST(ProductGenerator, DifferentSeedsGiveDifferentRecords) {
  for (std::uint64_t index = 0; index < 100; ++index) {
    EXPECT_NE(record(k_seed, index), record(k_seed + 1, index)) << "index " << index;
  }
}

// Record 0 has nothing earlier to repeat, so it must come out (a repeat would never terminate
// or would copy a sku that never appeared); record 1 can only repeat record 0, so over many
// seeds it does so about 7% of the time.
TEST(ProductGenerator, RecordZeroIsNeverARepeatAndRecordOneSometimesRepeatsIt) {
  constexpr std::uint64_t seeds = 5000;
  std::uint64_t repeats = 0;
  for (std::uint64_t seed = 0; seed < seeds; ++seed) {
    const auto first = fields_of(seed, 0);
    const auto second = fields_of(seed, 1);
    ASSERT_EQ(first.size(), 3u);
    ASSERT_EQ(second.size(), 3u);
    if (first[1].text == second[1].text) ++repeats;
  }
  EXPECT_GT(repeats, seeds * 4 / 100);
  EXPECT_LT(repeats, seeds * 10 / 100);
}

TEST(ProductGenerator, AboutSevenPercentOfSkusRepeatAnEarlierRecord) {
  std::unordered_map<std::string, std::uint64_t> first_seen;
  std::uint64_t repeats = 0;
  for (std::uint64_t index = 0; index < k_records; ++index) {
    const auto fields = fields_of(k_seed, index);
    ASSERT_EQ(fields.size(), 3u);
    const auto [it, inserted] = first_seen.emplace(fields[1].text, index);
    if (!inserted) {
      ++repeats;
      EXPECT_LT(it->second, index);
    }
  }
  const double fraction = static_cast<double>(repeats) / static_cast<double>(k_records);
  EXPECT_GE(fraction, 0.04);
  EXPECT_LE(fraction, 0.10);
}

TEST(ProductGenerator, OnlyQuotedDescriptionsHoldLineFeeds) {
  std::uint64_t quoted = 0;
  for (std::uint64_t index = 0; index < k_records; ++index) {
    const auto fields = fields_of(k_seed, index);
    ASSERT_EQ(fields.size(), 3u);
    EXPECT_FALSE(fields[0].quoted);
    EXPECT_FALSE(fields[1].quoted);
    const Field& description = fields[2];
    const bool has_line_feed = description.text.find('\n') != std::string::npos;
    EXPECT_EQ(description.quoted, has_line_feed) << "index " << index;
    EXPECT_EQ(description.text.find('\r'), std::string::npos);
    if (description.quoted) ++quoted;
  }
  const double fraction = static_cast<double>(quoted) / static_cast<double>(k_records);
  EXPECT_GT(fraction, 0.5);
  EXPECT_LT(fraction, 0.7);
}

TEST(ProductGenerator, EveryRecordEndsWithCrlfAndHasThreeFields) {
  for (std::uint64_t index = 0; index < k_records; ++index) {
    const std::string text = record(k_seed, index);
    ASSERT_GE(text.size(), 2u);
    EXPECT_EQ(text.substr(text.size() - 2), "\r\n");
    // The only CR is the terminator's: a stray one would split the record for some readers.
    EXPECT_EQ(text.find('\r'), text.size() - 2);
    const auto fields = split_record(text);
    ASSERT_TRUE(fields.has_value()) << text;
    EXPECT_EQ(fields->size(), 3u) << text;
  }
}

TEST(ProductGenerator, FieldsHaveTheShapeOfTheRealFile) {
  for (std::uint64_t index = 0; index < 2000; ++index) {
    const auto fields = fields_of(k_seed, index);
    ASSERT_EQ(fields.size(), 3u);

    const auto name = split(fields[0].text, ' ');
    ASSERT_EQ(name.size(), 2u) << fields[0].text;
    for (const auto part : name) EXPECT_TRUE(all_of_chars(part, is_letter)) << fields[0].text;

    const auto sku = split(fields[1].text, '-');
    EXPECT_GE(sku.size(), 2u) << fields[1].text;
    EXPECT_LE(sku.size(), 4u) << fields[1].text;
    for (const auto word : sku) EXPECT_TRUE(all_of_chars(word, is_lower)) << fields[1].text;

    const auto paragraphs = split(fields[2].text, '\n');
    EXPECT_GE(paragraphs.size(), 1u);
    EXPECT_LE(paragraphs.size(), 4u);
    for (const auto paragraph : paragraphs) {
      ASSERT_FALSE(paragraph.empty());
      EXPECT_EQ(paragraph.back(), '.') << paragraph;
      const auto sentences = std::count(paragraph.begin(), paragraph.end(), '.');
      EXPECT_GE(sentences, 1);
      EXPECT_LE(sentences, 5);
      for (const auto sentence : split(paragraph.substr(0, paragraph.size() - 1), '.')) {
        // Sentences after the first start with the space that followed the '.'.
        const auto body = sentence.front() == ' ' ? sentence.substr(1) : sentence;
        const auto sentence_words = split(body, ' ');
        ASSERT_FALSE(sentence_words.empty());
        const char initial = sentence_words.front()[0];
        EXPECT_TRUE(initial >= 'A' && initial <= 'Z') << paragraph;
        for (const auto word : sentence_words) {
          EXPECT_TRUE(all_of_chars(word, is_letter)) << paragraph;
        }
      }
    }
  }
}

TEST(ProductGenerator, NamesRepeatAcrossRecords) {
  std::set<std::string> names;
  for (std::uint64_t index = 0; index < k_records; ++index) {
    const auto fields = fields_of(k_seed, index);
    ASSERT_EQ(fields.size(), 3u);
    names.insert(fields[0].text);
  }
  EXPECT_LT(names.size(), k_records);
}

TEST(Vocabulary, ListsAreSortedUniqueAndCsvSafe) {
  for (const auto list : {first_names(), last_names(), words()}) {
    ASSERT_FALSE(list.empty());
    EXPECT_TRUE(std::is_sorted(list.begin(), list.end()));
    EXPECT_EQ(std::adjacent_find(list.begin(), list.end()), list.end());
    for (const auto word : list) EXPECT_TRUE(all_of_chars(word, is_letter)) << word;
  }
  for (const auto word : words()) EXPECT_TRUE(all_of_chars(word, is_lower)) << word;
  // The sku generator packs word indices into 16 bits.
  EXPECT_LT(words().size(), 65536u);
}

}  // namespace
}  // namespace lfp::generate
