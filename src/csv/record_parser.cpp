#include "csv/record_parser.hpp"

#include <cstring>

#include "csv/byte_tables.hpp"

namespace lfp::csv {
std::size_t bom_length(std::string_view file) {
  return file.size() >= 3 && file.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
}

Cursor::Cursor(std::string_view file, std::uint64_t pos, State state, std::uint64_t lines_before)
    : file_(file), pos_(pos), state_(state), lines_(lines_before) {}

// Lines end at LF, CRLF (counted at its LF) or a lone CR, inside quotes or not.
bool Cursor::is_line_end(std::uint64_t p) const {
  const char c = file_[p];
  if (c == '\n') return true;
  return c == '\r' && (p + 1 == file_.size() || file_[p + 1] != '\n');
}

void Cursor::count_line_ends(std::uint64_t from, std::uint64_t to) { lines_ += csv::count_line_ends(file_, from, to); }

void Cursor::consume_line_end() {
  if (is_line_end(pos_)) ++lines_;
  state_ = kTransitions.next[static_cast<int>(state_)][static_cast<unsigned char>(file_[pos_])];
  ++pos_;
}

std::uint64_t Cursor::find_delimiter(std::uint64_t p) const {
  const auto* b = reinterpret_cast<const unsigned char*>(file_.data());
  const std::uint64_t n = file_.size();
  while (p < n && !kFieldStops.stop[b[p]]) ++p;
  return p;
}

std::uint64_t Cursor::seek_record_start(std::uint64_t limit) {
  const std::uint64_t n = file_.size();
  if (limit > n) limit = n;
  const char* b = file_.data();
  while (pos_ < limit) {
    if (state_ == State::Quoted) {
      // Inside quotes only a quote changes state: jump to it.
      const void* q = std::memchr(b + pos_, '"', limit - pos_);
      const std::uint64_t stop = q ? static_cast<const char*>(q) - b : limit;
      count_line_ends(pos_, stop);
      pos_ = stop;
      if (!q) break;
    }
    const unsigned char c = static_cast<unsigned char>(b[pos_]);
    if (between_records(state_) && c != '\r' && c != '\n') return pos_;
    if (c == '\r' || c == '\n') {
      consume_line_end();
    } else {
      state_ = kTransitions.next[static_cast<int>(state_)][c];
      ++pos_;
    }
  }
  return limit;
}

void Cursor::add_field(Record& out, std::string_view bytes) {
  if (out.fields.size() < keep_)
    out.fields.push_back(bytes);
  else
    drop_field(out, bytes);
}

void Cursor::add_scratch_field(Record& out, std::size_t begin) {
  if (out.fields.size() < keep_) {
    fixups_.push_back({out.fields.size(), begin, scratch_.size() - begin});
    out.fields.emplace_back();
  } else {
    drop_field(out, std::string_view(scratch_).substr(begin));
    scratch_.resize(begin);
  }
}

void Cursor::drop_field(Record& out, std::string_view bytes) {
  ++out.dropped;
  const TextCheck t = check_text(bytes);
  if (t == TextCheck::HasNul || (t == TextCheck::InvalidUtf8 && out.dropped_text == TextCheck::Ok))
    out.dropped_text = t;
}

void Cursor::parse(Record& out) {
  const char* b = file_.data();
  const std::uint64_t n = file_.size();
  out.fields.clear();
  out.dropped = 0;
  out.dropped_text = TextCheck::Ok;
  out.open_quote = false;
  out.offset = pos_;
  out.line = lines_ + 1;
  scratch_.clear();
  fixups_.clear();
  std::uint64_t p = pos_;
  for (;;) {
    if (p < n && b[p] == '"') {
      std::uint64_t seg = ++p;
      bool escaped = false;  // content collected in scratch_
      const std::size_t scratch_begin = scratch_.size();
      for (;;) {
        const void* q = std::memchr(b + p, '"', n - p);
        if (!q) {  // still open at end of file: keep what we have, flag the record
          count_line_ends(p, n);
          if (escaped) {
            scratch_.append(b + seg, n - seg);
            add_scratch_field(out, scratch_begin);
          } else {
            add_field(out, std::string_view(b + seg, n - seg));
          }
          out.open_quote = true;
          out.end = pos_ = n;
          state_ = State::RecordStart;
          goto done;
        }
        const std::uint64_t qi = static_cast<const char*>(q) - b;
        count_line_ends(p, qi);
        if (qi + 1 < n && b[qi + 1] == '"') {  // "" is one quote
          scratch_.append(b + seg, qi + 1 - seg);
          escaped = true;
          p = seg = qi + 2;
          continue;
        }
        p = qi + 1;
        // Text between the closing quote and the delimiter is kept as is.
        const std::uint64_t t = find_delimiter(p);
        if (!escaped && t == p) {
          add_field(out, std::string_view(b + seg, qi - seg));
        } else {
          scratch_.append(b + seg, qi - seg);
          scratch_.append(b + p, t - p);
          add_scratch_field(out, scratch_begin);
        }
        p = t;
        break;
      }
    } else {
      const std::uint64_t t = find_delimiter(p);
      add_field(out, std::string_view(b + p, t - p));
      p = t;
    }
    if (p >= n) {
      out.end = pos_ = n;
      state_ = State::RecordStart;
      break;
    }
    if (b[p] == ',') {
      ++p;
      continue;
    }
    out.end = pos_ = p;
    state_ = State::FieldStart;  // any field state: the line end below ends the record
    consume_line_end();
    break;
  }
done:
  for (const Fixup& f : fixups_) out.fields[f.field] = std::string_view(scratch_).substr(f.begin, f.size);
}

OwnedRecord to_owned(const Record& r) {
  OwnedRecord o{r.offset, r.line, r.open_quote, {}};
  for (auto f : r.fields) o.fields.emplace_back(f);
  return o;
}

std::vector<OwnedRecord> parse_all(std::string_view file) {
  std::vector<OwnedRecord> out;
  Cursor cur(file, bom_length(file), State::RecordStart, 0);
  Record rec;
  while (cur.seek_record_start(file.size()) < file.size()) {
    cur.parse(rec);
    out.push_back(to_owned(rec));
  }
  return out;
}

}  // namespace lfp::csv
