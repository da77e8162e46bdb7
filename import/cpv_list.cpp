#include "import/cpv_list.h"

#include <fstream>
#include <sstream>

#include "core/error.h"

namespace importer {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// A reader for the one shape the list has: an object whose keys and values are strings.
class FlatJsonObject {
 public:
  FlatJsonObject(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  template <typename OnPair>
  void read(OnPair on_pair) {
    skipSpace();
    expect('{');
    skipSpace();
    if (peek() == '}') {
      ++pos_;
    } else {
      for (;;) {
        skipSpace();
        const std::size_t key_at = pos_;
        std::string key = readString();
        skipSpace();
        expect(':');
        skipSpace();
        std::string value = readString();
        on_pair(key_at, std::move(key), std::move(value));
        skipSpace();
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        expect('}');
        break;
      }
    }
    skipSpace();
    if (pos_ != text_.size()) fail("text after the closing brace");
  }

  [[noreturn]] void fail(const std::string& what) const { failAt(pos_, what); }
  [[noreturn]] void failAt(std::size_t at, const std::string& what) const {
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "CPV list " + source_ + " is not a JSON object of \"NNNNNNNN-C\": \"label\" pairs: " + what +
                          " at byte " + std::to_string(at) + "; use the CPV 2008 list in that format",
                      "cpv_list");
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\r' ||
                                   text_[pos_] == '\t'))
      ++pos_;
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  unsigned readHex4() {
    if (pos_ + 4 > text_.size()) fail("short \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
      else fail("bad \\u escape");
    }
    return v;
  }
  static void appendUtf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  std::string readString() {
    expect('"');
    std::string out;
    for (;;) {
      if (pos_ >= text_.size()) fail("unterminated string");
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) fail("unterminated escape");
      const char e = text_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = readHex4();
          if (cp >= 0xD800 && cp <= 0xDBFF && pos_ + 1 < text_.size() && text_[pos_] == '\\' &&
              text_[pos_ + 1] == 'u') {
            pos_ += 2;
            const unsigned low = readHex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("unpaired surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          appendUtf8(out, cp);
          break;
        }
        default: fail("unknown escape");
      }
    }
  }

  std::string_view text_;
  const std::string& source_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<CpvCode> parseCpvCode(std::string_view text) {
  if (text.size() != 8 && text.size() != 10) return std::nullopt;
  for (std::size_t i = 0; i < 8; ++i)
    if (!isDigit(text[i])) return std::nullopt;
  CpvCode code{std::string(text.substr(0, 8)), std::nullopt};
  if (text.size() == 10) {
    if (text[8] != '-' || !isDigit(text[9])) return std::nullopt;
    code.check = text[9];
  }
  return code;
}

bool isFoodCpv(std::string_view digits) {
  return digits.size() >= 2 && (digits.substr(0, 2) == "03" || digits.substr(0, 2) == "15");
}

CpvList CpvList::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw core::Error(core::ErrorCode::kNotFound,
                      "cannot read the CPV list " + path +
                          "; give the path of the CPV 2008 JSON list (classifiers/cpv/en.json) or leave it unset to "
                          "check only the format of CPV codes",
                      "cpv_list");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

CpvList CpvList::parse(std::string_view json, const std::string& source_name) {
  CpvList list;
  list.source_ = source_name;
  FlatJsonObject reader(json, source_name);
  reader.read([&](std::size_t at, std::string key, std::string value) {
    const std::optional<CpvCode> code = parseCpvCode(key);
    if (!code || !code->check) reader.failAt(at, "key \"" + key + "\" is not a code NNNNNNNN-C");
    list.entries_[code->digits] = Entry{*code->check, std::move(value)};
  });
  if (list.entries_.empty()) reader.fail("the list is empty");
  return list;
}

const CpvList::Entry* CpvList::find(std::string_view digits) const {
  const auto it = entries_.find(std::string(digits));
  return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace importer
