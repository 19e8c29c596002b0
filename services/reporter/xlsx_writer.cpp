#include "xlsx_writer.hpp"

#include <xlsxwriter.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <memory>

namespace vctp::reporter {
namespace {

struct WorkbookFree {
  void operator()(lxw_workbook* wb) const { lxw_workbook_free(wb); }
};
using WorkbookPtr = std::unique_ptr<lxw_workbook, WorkbookFree>;

void check(lxw_error err, const std::string& what) {
  if (err != LXW_NO_ERROR) {
    throw ReportWriteError(what + ": " + lxw_strerror(err) + " (libxlsxwriter error " +
                           std::to_string(static_cast<int>(err)) + ")");
  }
}

template <class T>
T* check_ptr(T* p, const std::string& what) {
  if (p == nullptr) throw ReportWriteError(what + ": libxlsxwriter returned no object (out of memory?)");
  return p;
}

std::string money_format(const std::string& currency) {
  std::string clean;
  for (char c : currency) {
    if (c != '"' && c != '\\') clean += c;
  }
  return clean.empty() ? "#,##0.00" : "#,##0.00 \"" + clean + "\"";
}

const char* num_format(CellFormat f) {
  switch (f) {
    case CellFormat::kInteger:
      return "#,##0";
    case CellFormat::kDecimal:
      return "#,##0.00";
    case CellFormat::kPercent:
      return "0.0%";
    case CellFormat::kDate:
      return "yyyy-mm-dd";
    case CellFormat::kDateTime:
      return "yyyy-mm-dd hh:mm";
    default:
      return nullptr;
  }
}

/// The formats of one workbook: one per cell format, plain and bold (totals).
class Formats {
 public:
  Formats(lxw_workbook* wb, const std::string& currency) {
    header_ = check_ptr(workbook_add_format(wb), "adding a format");
    format_set_bold(header_);
    format_set_bottom(header_, LXW_BORDER_THIN);
    format_set_text_wrap(header_);
    format_set_align(header_, LXW_ALIGN_VERTICAL_TOP);
    const std::string money = money_format(currency);
    for (int bold = 0; bold < 2; ++bold) {
      // Equal formats share one object: libxlsxwriter caches the style index only in the first
      // object of a kind and hashes every other on every cell. A plain cell without a number
      // format is the default style: no format at all.
      std::map<std::string, lxw_format*> by_num_format;
      for (int i = 0; i <= static_cast<int>(CellFormat::kFlag); ++i) {
        const auto cf = static_cast<CellFormat>(i);
        const char* nf = num_format(cf);
        const std::string key = cf == CellFormat::kMoney ? money : (nf ? nf : "");
        if (!bold && key.empty()) continue;
        lxw_format*& f = by_num_format[key];
        if (f == nullptr) {
          f = check_ptr(workbook_add_format(wb), "adding a format");
          if (!key.empty()) format_set_num_format(f, key.c_str());
          if (bold) {
            format_set_bold(f);
            format_set_top(f, LXW_BORDER_THIN);
          }
        }
        cells_[bold][i] = f;
      }
    }
  }
  lxw_format* header() const { return header_; }
  lxw_format* cell(CellFormat f, bool bold = false) const { return cells_[bold ? 1 : 0][static_cast<int>(f)]; }

 private:
  lxw_format* header_ = nullptr;
  lxw_format* cells_[2][static_cast<int>(CellFormat::kFlag) + 1] = {};
};

std::int64_t unix_seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

lxw_error write_cell(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const Cell& cell, lxw_format* fmt) {
  if (const auto* s = std::get_if<std::string>(&cell)) {
    if (!s->empty()) return worksheet_write_string(ws, row, col, s->c_str(), fmt);
  } else if (const auto* d = std::get_if<double>(&cell)) {
    if (std::isfinite(*d)) return worksheet_write_number(ws, row, col, *d, fmt);
  } else if (const auto* b = std::get_if<bool>(&cell)) {
    return worksheet_write_boolean(ws, row, col, *b ? 1 : 0, fmt);
  } else if (const auto* t = std::get_if<TimePoint>(&cell)) {
    return worksheet_write_unixtime(ws, row, col, unix_seconds(*t), fmt);
  }
  return LXW_NO_ERROR;
}

std::string range(lxw_row_t first_row, lxw_col_t col, lxw_row_t last_row) {
  char buf[64];
  lxw_rowcol_to_range(buf, first_row, col, last_row, col);
  return buf;
}

void add_chart(lxw_workbook* wb, lxw_worksheet* ws, const SheetSpec& sheet, const ChartSpec& spec,
               lxw_col_t anchor_col, lxw_row_t anchor_row) {
  if (sheet.row_count == 0) return;
  uint8_t type = LXW_CHART_LINE;
  if (spec.type == ChartSpec::Type::kPie) type = LXW_CHART_PIE;
  if (spec.type == ChartSpec::Type::kColumn) type = LXW_CHART_COLUMN;
  lxw_chart* chart = check_ptr(workbook_add_chart(wb, type), "adding chart '" + spec.title + "'");
  const auto first = static_cast<lxw_row_t>(1);
  const auto last = static_cast<lxw_row_t>(sheet.row_count);
  const auto cat = static_cast<lxw_col_t>(spec.category_column);
  for (const auto value_column : spec.value_columns) {
    lxw_chart_series* series = check_ptr(chart_add_series(chart, nullptr, nullptr), "adding a chart series");
    chart_series_set_categories(series, sheet.name.c_str(), first, cat, last, cat);
    const auto vc = static_cast<lxw_col_t>(value_column);
    chart_series_set_values(series, sheet.name.c_str(), first, vc, last, vc);
    chart_series_set_name_range(series, sheet.name.c_str(), 0, vc);
    if (spec.type == ChartSpec::Type::kPie) chart_series_set_labels_percentage(series);
  }
  chart_title_set_name(chart, spec.title.c_str());
  if (spec.type != ChartSpec::Type::kPie) {
    chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
    if (!spec.y_axis_title.empty()) chart_axis_set_name(chart->y_axis, spec.y_axis_title.c_str());
    if (sheet.columns.at(spec.category_column).format == CellFormat::kDate) {
      chart_axis_set_num_format(chart->x_axis, "dd");
    }
  }
  lxw_chart_options options{};
  options.x_scale = spec.type == ChartSpec::Type::kPie ? 1.2 : 1.8;
  options.y_scale = 1.4;
  options.x_offset = 10;
  options.y_offset = 10;
  check(worksheet_insert_chart_opt(ws, anchor_row, anchor_col, chart, &options),
        "placing chart '" + spec.title + "'");
}

/// Adds the worksheet of a sheet with its column widths, frozen header, autofilter and header row.
lxw_worksheet* add_worksheet(lxw_workbook* wb, const Formats& formats, const SheetSpec& sheet) {
  const std::size_t ncols = sheet.columns.size();
  if (ncols == 0) throw ReportWriteError("sheet '" + sheet.name + "' has no columns");
  if (sheet.row_count + 3 > LXW_ROW_MAX) {
    throw ReportWriteError("sheet '" + sheet.name + "' has " + std::to_string(sheet.row_count) +
                           " rows, more than a worksheet can hold (" + std::to_string(LXW_ROW_MAX) + ")");
  }
  lxw_worksheet* ws =
      check_ptr(workbook_add_worksheet(wb, sheet.name.c_str()), "adding sheet '" + sheet.name + "'");
  const auto last_col = static_cast<lxw_col_t>(ncols - 1);

  for (std::size_t c = 0; c < ncols; ++c) {
    const auto& col = sheet.columns[c];
    check(worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), col.width,
                               formats.cell(col.format)),
          "setting column widths of '" + sheet.name + "'");
  }
  check(worksheet_set_row(ws, 0, LXW_DEF_ROW_HEIGHT * 2, nullptr), "sizing the header of '" + sheet.name + "'");
  worksheet_freeze_panes(ws, 1, 0);
  check(worksheet_autofilter(ws, 0, 0, static_cast<lxw_row_t>(sheet.row_count), last_col),
        "adding the autofilter of '" + sheet.name + "'");

  for (std::size_t c = 0; c < ncols; ++c) {
    check(worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), sheet.columns[c].header.c_str(), formats.header()),
          "writing the header of '" + sheet.name + "'");
  }
  return ws;
}

/// Per column, the sum of its finite numbers and the count of its non-empty cells.
struct ColumnTallies {
  std::vector<double> sums;
  std::vector<double> counts;
};

/// Writes the data rows of a sheet below its header and tallies each column.
ColumnTallies write_rows(lxw_worksheet* ws, const Formats& formats, const SheetSpec& sheet) {
  const std::size_t ncols = sheet.columns.size();
  ColumnTallies tallies{std::vector<double>(ncols, 0.0), std::vector<double>(ncols, 0.0)};
  std::vector<Cell> cells(ncols);
  for (std::size_t r = 0; r < sheet.row_count; ++r) {
    for (auto& cell : cells) cell = std::monostate{};
    sheet.fill_row(r, cells);
    const auto row = static_cast<lxw_row_t>(r + 1);
    for (std::size_t c = 0; c < ncols; ++c) {
      const Cell& cell = cells[c];
      const lxw_error err = write_cell(ws, row, static_cast<lxw_col_t>(c), cell, formats.cell(sheet.columns[c].format));
      if (err != LXW_NO_ERROR) {
        check(err, "writing column '" + sheet.columns[c].header + "' of row " + std::to_string(r + 2) + " of '" +
                       sheet.name + "'");
      }
      if (const auto* d = std::get_if<double>(&cell); d && std::isfinite(*d)) tallies.sums[c] += *d;
      const bool empty = std::holds_alternative<std::monostate>(cell) ||
                         (std::holds_alternative<std::string>(cell) && std::get<std::string>(cell).empty());
      if (!empty) tallies.counts[c] += 1;
    }
  }
  return tallies;
}

/// Writes the totals row of a sheet (one blank row below the data, so outside the autofilter's
/// range) and returns each column's total (NaN for a column without one).
std::vector<double> write_totals(lxw_worksheet* ws, const Formats& formats, const SheetSpec& sheet,
                                 const ColumnTallies& tallies) {
  const std::size_t ncols = sheet.columns.size();
  std::vector<double> totals(ncols, std::numeric_limits<double>::quiet_NaN());
  const auto row = static_cast<lxw_row_t>(sheet.row_count + 2);
  const auto first = static_cast<lxw_row_t>(1);
  const auto last = static_cast<lxw_row_t>(sheet.row_count);
  for (std::size_t c = 0; c < ncols; ++c) {
    const auto& col = sheet.columns[c];
    const auto lc = static_cast<lxw_col_t>(c);
    lxw_format* fmt = formats.cell(col.format == CellFormat::kText ? CellFormat::kInteger : col.format, true);
    const std::string where = "the totals of '" + sheet.name + "'";
    switch (col.total) {
      case TotalKind::kNone:
        break;
      case TotalKind::kLabel:
        check(worksheet_write_string(ws, row, lc, "Total", formats.cell(CellFormat::kText, true)), "writing " + where);
        break;
      case TotalKind::kSum:
      case TotalKind::kCount: {
        const double value = col.total == TotalKind::kSum ? tallies.sums[c] : tallies.counts[c];
        totals[c] = value;
        if (sheet.row_count == 0) {
          check(worksheet_write_number(ws, row, lc, 0.0, fmt), "writing " + where);
        } else {
          const std::string formula = std::string("=SUBTOTAL(") + (col.total == TotalKind::kSum ? "109" : "103") +
                                      "," + range(first, lc, last) + ")";
          check(worksheet_write_formula_num(ws, row, lc, formula.c_str(), fmt, value), "writing " + where);
        }
        break;
      }
    }
  }
  return totals;
}

std::vector<double> write_sheet(lxw_workbook* wb, const Formats& formats, const SheetSpec& sheet) {
  lxw_worksheet* ws = add_worksheet(wb, formats, sheet);
  const ColumnTallies tallies = write_rows(ws, formats, sheet);
  const std::size_t ncols = sheet.columns.size();
  std::vector<double> totals(ncols, std::numeric_limits<double>::quiet_NaN());
  if (sheet.totals_row) totals = write_totals(ws, formats, sheet, tallies);
  for (std::size_t i = 0; i < sheet.charts.size(); ++i) {
    add_chart(wb, ws, sheet, sheet.charts[i], static_cast<lxw_col_t>(ncols + 1), static_cast<lxw_row_t>(1 + 22 * i));
  }
  return totals;
}

}  // namespace

WrittenTotals write_xlsx(const WorkbookSpec& spec, const std::filesystem::path& path) {
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  options.use_zip64 = LXW_TRUE;
  WorkbookPtr wb(workbook_new_opt(path.c_str(), &options));
  if (!wb) throw ReportWriteError("cannot start workbook " + path.string() + " (out of memory?)");

  // libxlsxwriter takes char* but copies the strings.
  std::string title = spec.title, subject = spec.subject, author = "vctp-reporter", company = "vctp";
  lxw_doc_properties properties{};
  properties.title = title.data();
  properties.subject = subject.data();
  properties.author = author.data();
  properties.company = company.data();
  check(workbook_set_properties(wb.get(), &properties), "setting the workbook's properties");

  const Formats formats(wb.get(), spec.currency);
  WrittenTotals written;
  for (const auto& sheet : spec.sheets) written.per_sheet.push_back(write_sheet(wb.get(), formats, sheet));

  // workbook_close frees the workbook whatever it returns.
  const lxw_error err = workbook_close(wb.release());
  if (err != LXW_NO_ERROR) {
    throw ReportWriteError("cannot write " + path.string() + ": " + lxw_strerror(err) +
                           (err == LXW_ERROR_CREATING_XLSX_FILE || err == LXW_ERROR_ZIP_FILE_OPERATION ||
                                    err == LXW_ERROR_ZIP_CLOSE || err == LXW_ERROR_ZIP_FILE_ADD
                                ? " (is the directory writable, and is there free space?)"
                                : ""));
  }
  return written;
}

}  // namespace vctp::reporter
