#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "report_period.hpp"

namespace vctp::reporter {

/// How a column's cells are shown.
enum class CellFormat {
  kText,
  kInteger,   ///< #,##0
  kDecimal,   ///< #,##0.00
  kPercent,   ///< 0.0 % of a 0..1 value
  kMoney,     ///< #,##0.00 with the rate card's currency
  kDate,      ///< yyyy-mm-dd (a real date cell)
  kDateTime,  ///< yyyy-mm-dd hh:mm (a real date cell, UTC)
  kFlag,      ///< TRUE / FALSE
};

/// What the totals row holds under a column.
enum class TotalKind {
  kNone,
  kLabel,  ///< the word "Total"
  kSum,    ///< SUBTOTAL(109, …): a sum that follows the filter
  kCount,  ///< SUBTOTAL(103, …): non-empty cells shown
};

struct Column {
  std::string header;
  CellFormat format = CellFormat::kText;
  double width = 12;
  TotalKind total = TotalKind::kNone;
};

/// One cell value: empty, text, number, flag or time.
using Cell = std::variant<std::monostate, std::string, double, bool, TimePoint>;

/// A chart drawn from columns of its own sheet (all data rows).
struct ChartSpec {
  enum class Type { kLine, kPie, kColumn };
  Type type = Type::kLine;
  std::string title;
  std::size_t category_column = 0;
  std::vector<std::size_t> value_columns;
  std::string y_axis_title;
};

/// One worksheet: a bold frozen header row with an autofilter, data rows produced on demand
/// (so a 50,000-VM sheet is never held as cells), an optional totals row and charts.
struct SheetSpec {
  std::string name;
  std::vector<Column> columns;
  std::size_t row_count = 0;
  /// Fills the cells of data row `row` (0-based); `cells` has one entry per column.
  std::function<void(std::size_t row, std::vector<Cell>& cells)> fill_row;
  bool totals_row = false;
  std::vector<ChartSpec> charts;
};

/// A whole report workbook.
struct WorkbookSpec {
  std::vector<SheetSpec> sheets;
  std::string currency;  ///< for kMoney cells; empty without a rate card
  std::string title;
  std::string subject;
};

}  // namespace vctp::reporter
