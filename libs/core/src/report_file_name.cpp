#include "vctp/core/report_file_name.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace vctp::core {
namespace {

constexpr std::string_view kPrefix = "vctp_";
constexpr std::string_view kWorkbookSuffix = ".xlsx";
constexpr std::string_view kFocusSuffix = "_focus.csv";

struct KindDigits {
  std::string_view kind;
  std::size_t digits;
};
constexpr std::array<KindDigits, 3> kKinds{{{"hourly", 10}, {"daily", 8}, {"monthly", 6}}};

bool all_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

}  // namespace

std::string report_workbook_name(std::string_view kind, std::string_view period_digits) {
  return std::string(kPrefix) + std::string(kind) + "_" + std::string(period_digits) + std::string(kWorkbookSuffix);
}

std::string focus_export_name(std::string_view period_digits) {
  return std::string(kPrefix) + "monthly_" + std::string(period_digits) + std::string(kFocusSuffix);
}

bool is_report_file_name(std::string_view name) {
  if (name.substr(0, kPrefix.size()) != kPrefix) return false;
  for (const auto& [kind, digits] : kKinds) {
    const std::string_view rest = name.substr(kPrefix.size());
    if (rest.size() <= kind.size() + 1 || rest.substr(0, kind.size()) != kind || rest[kind.size()] != '_') continue;
    const std::string_view tail = rest.substr(kind.size() + 1);
    if (tail.size() < digits || !all_digits(tail.substr(0, digits))) return false;
    const std::string_view suffix = tail.substr(digits);
    return suffix == kWorkbookSuffix || (kind == "monthly" && suffix == kFocusSuffix);
  }
  return false;
}

}  // namespace vctp::core
