#include "migrations.hpp"

#include <chrono>

#include "backend.hpp"
#include "vctp/core/logging.hpp"
#include "vctp/core/time_format.hpp"

namespace vctp::store {

namespace {

constexpr std::string_view kLockName = "vctp.schema_version";

int current_version(Transaction& tx) {
  return static_cast<int>(
      tx.query("SELECT COALESCE(MAX(version), 0) FROM schema_version")[0].get_int(0));
}

void refuse_if_newer(const Database& db, int current, int known) {
  if (current > known) {
    throw SchemaTooNew(std::string(db.driver()) + " " + db.location() +
                       ": the database schema is at version " + std::to_string(current) +
                       " but this vctp knows only up to version " + std::to_string(known) +
                       "; it was upgraded by a newer vctp. Run that version (or newer) of every "
                       "service; downgrading the schema is not supported.");
  }
}

}  // namespace

void migrate(Database& db, bool apply) {
  const auto& migrations = detail::embedded_migrations(db.dialect().backend());
  const int known = migrations.empty() ? 0 : migrations.back().version;
  const std::string create =
      "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT "
      "NULL, applied_at " +
      std::string(db.dialect().timestamp_type()) + " NOT NULL)";

  if (!apply) {
    const int current = db.read([&](Transaction& tx) {
      return tx.table_exists("schema_version") ? current_version(tx) : 0;
    });
    refuse_if_newer(db, current, known);
    return;
  }

  // One transaction per migration; each takes the migration lock (an advisory lock on
  // PostgreSQL, the write lock of BEGIN IMMEDIATE on SQLite) and re-reads the version, so
  // services starting together apply each migration exactly once.
  for (;;) {
    const bool applied_one = db.transact([&](Transaction& tx) {
      tx.lock(kLockName);
      tx.execute(create);
      const int current = current_version(tx);
      refuse_if_newer(db, current, known);
      if (current >= known) return false;
      const auto& next = migrations.at(static_cast<std::size_t>(current));
      if (next.version != current + 1) {
        throw StoreError("migration numbering is broken: expected " +
                         std::to_string(current + 1) + ", found " + std::to_string(next.version));
      }
      try {
        tx.execute(next.sql);
      } catch (const StoreError& e) {
        throw StoreError(std::string(db.driver()) + " " + db.location() + ": migration " +
                             std::string(next.name) + " failed: " + e.what(),
                         e.retryable());
      }
      tx.execute("INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, " +
                     db.dialect().timestamp_param(3) + ")",
                 {std::int64_t{next.version}, std::string(next.name),
                  time_value(std::chrono::system_clock::now())});
      core::log_info("applied database migration", {{"driver", std::string(db.driver())},
                                                    {"database", db.location()},
                                                    {"version", std::to_string(next.version)},
                                                    {"name", std::string(next.name)}});
      return true;
    });
    if (!applied_one) return;
  }
}

}  // namespace vctp::store
