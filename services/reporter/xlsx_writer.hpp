#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "workbook_spec.hpp"

namespace vctp::reporter {

/// A report file that could not be written (full or unwritable directory, library error).
class ReportWriteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What the writer computed while writing: the cached value of every SUBTOTAL it wrote, by sheet
/// and column (NaN where the column has no total).
struct WrittenTotals {
  std::vector<std::vector<double>> per_sheet;
};

/// Writes `spec` as an XLSX file at `path` with libxlsxwriter in constant-memory mode (rows go to
/// disk as they are written, so every sheet is written strictly top to bottom: header, data,
/// totals). Totals are SUBTOTAL formulas with their values cached. Throws ReportWriteError.
WrittenTotals write_xlsx(const WorkbookSpec& spec, const std::filesystem::path& path);

}  // namespace vctp::reporter
