#include "vctp/core/glob.hpp"

#include <cctype>

namespace vctp::core {
namespace {

char fold(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

/// Matches a bracket expression at pattern[p] ('[' already seen at p); sets `next` past ']'.
bool match_class(std::string_view pattern, std::size_t p, char c, std::size_t& next, bool& ok) {
  std::size_t i = p + 1;
  bool negate = false;
  if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
    negate = true;
    ++i;
  }
  bool matched = false;
  bool first = true;
  while (i < pattern.size() && (first || pattern[i] != ']')) {
    first = false;
    char low = fold(pattern[i]);
    char high = low;
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      high = fold(pattern[i + 2]);
      i += 2;
    }
    if (fold(c) >= low && fold(c) <= high) matched = true;
    ++i;
  }
  if (i >= pattern.size()) return false;  // no closing bracket: treat '[' literally
  next = i + 1;
  ok = matched != negate;
  return true;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0;
  std::size_t star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size()) {
      const char pc = pattern[p];
      if (pc == '*') {
        star = p++;
        resume = t;
        continue;
      }
      if (pc == '?') {
        ++p;
        ++t;
        continue;
      }
      if (pc == '[') {
        std::size_t next = 0;
        bool ok = false;
        if (match_class(pattern, p, text[t], next, ok)) {
          if (ok) {
            p = next;
            ++t;
            continue;
          }
        } else if (fold(text[t]) == '[') {
          ++p;
          ++t;
          continue;
        }
      } else if (fold(pc) == fold(text[t])) {
        ++p;
        ++t;
        continue;
      }
    }
    if (star == std::string_view::npos) return false;
    p = star + 1;
    t = ++resume;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool glob_match_any(const std::vector<std::string>& patterns, std::string_view text) {
  for (const auto& pattern : patterns) {
    if (glob_match(pattern, text)) return true;
  }
  return false;
}

}  // namespace vctp::core
