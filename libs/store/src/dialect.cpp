#include "vctp/store/dialect.hpp"

#include <string>

namespace vctp::store {

namespace {
bool pg(Backend b) { return b == Backend::kPostgres; }

std::string quote(std::string_view text, char q) {
  std::string out(1, q);
  for (char c : text) {
    if (c == q) out.push_back(q);
    out.push_back(c);
  }
  out.push_back(q);
  return out;
}
}  // namespace

std::string_view Dialect::name() const { return pg(backend_) ? "postgres" : "sqlite"; }
std::string_view Dialect::integer_type() const { return pg(backend_) ? "BIGINT" : "INTEGER"; }
std::string_view Dialect::real_type() const { return pg(backend_) ? "DOUBLE PRECISION" : "REAL"; }
std::string_view Dialect::text_type() const { return "TEXT"; }
std::string_view Dialect::boolean_type() const { return pg(backend_) ? "BOOLEAN" : "INTEGER"; }
std::string_view Dialect::timestamp_type() const { return pg(backend_) ? "TIMESTAMPTZ" : "TEXT"; }

std::string Dialect::quote_identifier(std::string_view name) const { return quote(name, '"'); }
std::string Dialect::quote_literal(std::string_view text) const { return quote(text, '\''); }

std::string Dialect::timestamp_param(int n) const {
  const std::string p = "$" + std::to_string(n);
  return pg(backend_) ? "CAST(" + p + " AS timestamptz)" : p;
}

std::string Dialect::epoch_seconds(std::string_view expr) const {
  const std::string e(expr);
  return pg(backend_) ? "CAST(EXTRACT(EPOCH FROM " + e + ") AS BIGINT)"
                      : "CAST(strftime('%s', " + e + ") AS INTEGER)";
}

std::string Dialect::from_epoch_seconds(std::string_view expr) const {
  const std::string e(expr);
  return pg(backend_) ? "to_timestamp(" + e + ")"
                      : "strftime('%Y-%m-%dT%H:%M:%SZ', " + e + ", 'unixepoch')";
}

std::string Dialect::now() const {
  return pg(backend_) ? "now()" : "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";
}

std::string Dialect::bool_to_int(std::string_view expr) const {
  const std::string e(expr);
  return pg(backend_) ? "CAST((" + e + ") AS INTEGER)" : "(" + e + ")";
}

std::string Dialect::int_to_bool(std::string_view expr) const {
  const std::string e(expr);
  return pg(backend_) ? "((" + e + ") <> 0)" : "(" + e + ")";
}

std::string Dialect::greatest(std::string_view a, std::string_view b) const {
  return std::string(pg(backend_) ? "GREATEST(" : "MAX(") + std::string(a) + ", " +
         std::string(b) + ")";
}

std::string Dialect::least(std::string_view a, std::string_view b) const {
  return std::string(pg(backend_) ? "LEAST(" : "MIN(") + std::string(a) + ", " + std::string(b) +
         ")";
}

std::string Dialect::null_safe_equal(std::string_view a, std::string_view b) const {
  return "(" + std::string(a) + " IS NOT DISTINCT FROM " + std::string(b) + ")";
}

std::string Dialect::binary_key(std::string_view expr) const {
  return pg(backend_) ? std::string(expr) + " COLLATE \"C\"" : std::string(expr);
}

std::vector<std::string> Dialect::create_temp_table(std::string_view name, std::string_view select) const {
  const std::string n(name);
  if (pg(backend_)) {
    // Autovacuum never analyses temporary tables: without statistics the planner takes later
    // joins over them for a few rows.
    return {"DROP TABLE IF EXISTS pg_temp." + n, "CREATE TEMP TABLE " + n + " ON COMMIT DROP AS " + std::string(select),
            "ANALYZE " + n};
  }
  return {"DROP TABLE IF EXISTS temp." + n, "CREATE TEMP TABLE " + n + " AS " + std::string(select)};
}

std::string Dialect::drop_temp_table(std::string_view name) const {
  return std::string(pg(backend_) ? "DROP TABLE IF EXISTS pg_temp." : "DROP TABLE IF EXISTS temp.") + std::string(name);
}

std::vector<std::string> Dialect::create_temp_index(std::string_view name, std::string_view columns) const {
  if (pg(backend_)) return {};
  const std::string n(name);
  return {"CREATE INDEX temp." + n + "_key ON " + n + " (" + std::string(columns) + ")"};
}

std::vector<std::string> Dialect::bulk_work_settings() const {
  // The temporary tables are analysed only for their sizes and key counts: a sample of 3,000
  // rows (target 10) gives those, where the default of 30,000 rows reads all of a day's.
  if (pg(backend_)) return {"SET LOCAL work_mem = '256MB'", "SET LOCAL default_statistics_target = 10"};
  return {"PRAGMA temp.cache_size = -65536"};
}

}  // namespace vctp::store
