#pragma once
// importer::KeySet: the natural keys met so far in one file, each with the line it was first met
// on, so that a duplicate row can name its twin. The keys are stored once, back to back, in one
// byte arena indexed by an open-addressing table of 12-byte slots: a 200,000-row file costs a few
// megabytes instead of one heap node per key, which keeps an import's memory close to flat in the
// file's size. Not thread-safe: one per import.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace importer {

class KeySet {
 public:
  // Adds `key` first met at `line`; when it was already there, returns the line it was first met on
  // and changes nothing.
  std::optional<int> insert(std::string_view key, int line);
  std::size_t size() const { return size_; }
  // Bytes held (arena and table), for the benchmark's memory figures.
  std::size_t bytes() const { return arena_.capacity() + slots_.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    std::uint32_t hash = 0;
    std::uint32_t offset_plus_one = 0;  // 0: empty
    std::int32_t line = 0;
  };
  std::string_view keyAt(std::uint32_t offset) const;
  void grow();

  std::vector<Slot> slots_;
  std::string arena_;
  std::size_t size_ = 0;
};

}  // namespace importer
