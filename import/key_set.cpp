#include "import/key_set.h"

#include <limits>

#include "core/error.h"

namespace importer {
namespace {

std::uint32_t hashKey(std::string_view key) {
  std::uint64_t h = 14695981039346656037ULL;  // FNV-1a
  for (const char c : key) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return static_cast<std::uint32_t>(h ^ (h >> 32));
}

}  // namespace

std::string_view KeySet::keyAt(std::uint32_t offset) const {
  std::size_t length = 0;
  int shift = 0;
  std::size_t i = offset;
  for (;;) {
    const auto b = static_cast<unsigned char>(arena_[i++]);
    length |= static_cast<std::size_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) break;
    shift += 7;
  }
  return std::string_view(arena_).substr(i, length);
}

void KeySet::grow() {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.offset_plus_one == 0) continue;
    std::size_t i = s.hash & mask;
    while (slots_[i].offset_plus_one != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

std::optional<int> KeySet::insert(std::string_view key, int line) {
  // Keep the table at most 70 % full so that probes stay short.
  if ((size_ + 1) * 10 > slots_.size() * 7) grow();
  const std::uint32_t h = hashKey(key);
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = h & mask;
  while (slots_[i].offset_plus_one != 0) {
    if (slots_[i].hash == h && keyAt(slots_[i].offset_plus_one - 1) == key) return slots_[i].line;
    i = (i + 1) & mask;
  }
  if (arena_.size() + key.size() + 10 >= std::numeric_limits<std::uint32_t>::max()) {
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "the file has more than 4 GiB of distinct keys; split it into smaller files and import "
                      "them one after the other");
  }
  const auto offset = static_cast<std::uint32_t>(arena_.size());
  std::size_t length = key.size();
  do {
    unsigned char b = length & 0x7F;
    length >>= 7;
    if (length != 0) b |= 0x80;
    arena_.push_back(static_cast<char>(b));
  } while (length != 0);
  arena_.append(key);
  slots_[i] = Slot{h, offset + 1, line};
  ++size_;
  return std::nullopt;
}

}  // namespace importer
