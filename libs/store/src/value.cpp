#include "vctp/store/value.hpp"

#include <charconv>
#include <cstdio>

#include "vctp/core/time_format.hpp"
#include "vctp/store/errors.hpp"

namespace vctp::store {

Value time_value(std::chrono::system_clock::time_point t) { return core::format_iso8601(t); }

Value time_value(const std::optional<std::chrono::system_clock::time_point>& t) {
  return t ? time_value(*t) : null_value();
}

Value text_value(const std::optional<std::string>& s) { return s ? Value(*s) : null_value(); }

bool is_null(const Value& v) { return std::holds_alternative<std::monostate>(v); }

std::int64_t as_int(const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<std::int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&v)) {
    std::int64_t out = 0;
    const auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
    if (ec == std::errc() && end == s->data() + s->size()) return out;
    throw StoreError("expected an integer, got text '" + *s + "'");
  }
  throw StoreError("expected an integer, got NULL");
}

double as_double(const Value& v) {
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* s = std::get_if<std::string>(&v)) {
    try {
      std::size_t used = 0;
      const double d = std::stod(*s, &used);
      if (used == s->size()) return d;
    } catch (const std::exception&) {
    }
    throw StoreError("expected a number, got text '" + *s + "'");
  }
  throw StoreError("expected a number, got NULL");
}

std::string as_text(const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", *d);
    return buf;
  }
  return "";
}

bool as_bool(const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) {
    if (*s == "t" || *s == "true" || *s == "1") return true;
    if (*s == "f" || *s == "false" || *s == "0") return false;
    throw StoreError("expected a boolean, got text '" + *s + "'");
  }
  if (is_null(v)) throw StoreError("expected a boolean, got NULL");
  return as_int(v) != 0;
}

std::chrono::system_clock::time_point as_time(const Value& v) {
  const auto* s = std::get_if<std::string>(&v);
  if (!s) throw StoreError(is_null(v) ? "expected a time, got NULL" : "expected a time as text");
  std::string text = *s;
  if (text.size() > 10 && text[10] == ' ') text[10] = 'T';
  // PostgreSQL's "+00" offset lacks minutes.
  if (text.size() > 3 && (text[text.size() - 3] == '+' || text[text.size() - 3] == '-') &&
      text.find('T') != std::string::npos && text.size() - 3 > 10) {
    text += ":00";
  }
  if (text.size() == 19) text += 'Z';
  if (const auto t = core::parse_iso8601(text)) return *t;
  throw StoreError("expected an ISO 8601 time, got '" + *s + "'");
}

Row::Row(std::shared_ptr<const std::vector<std::string>> columns, std::vector<Value> values)
    : columns_(std::move(columns)), values_(std::move(values)) {}

const Value& Row::at(Col c) const {
  if (c.index) {
    if (*c.index < values_.size()) return values_[*c.index];
    throw StoreError("no column " + std::to_string(*c.index) + " in a row of " +
                     std::to_string(values_.size()));
  }
  if (columns_) {
    for (std::size_t i = 0; i < columns_->size() && i < values_.size(); ++i) {
      if ((*columns_)[i] == c.name) return values_[i];
    }
  }
  throw StoreError("no column '" + std::string(c.name) + "' in the result");
}

std::optional<std::int64_t> Row::get_opt_int(Col c) const {
  const auto& v = at(c);
  if (store::is_null(v)) return std::nullopt;
  return as_int(v);
}

std::optional<double> Row::get_opt_double(Col c) const {
  const auto& v = at(c);
  if (store::is_null(v)) return std::nullopt;
  return as_double(v);
}

std::optional<std::string> Row::get_opt_text(Col c) const {
  const auto& v = at(c);
  if (store::is_null(v)) return std::nullopt;
  return as_text(v);
}

std::optional<std::chrono::system_clock::time_point> Row::get_opt_time(Col c) const {
  const auto& v = at(c);
  if (store::is_null(v)) return std::nullopt;
  return as_time(v);
}

}  // namespace vctp::store
