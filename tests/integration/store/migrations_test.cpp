#include <catch2/catch.hpp>

#include "backend_db.hpp"
#include "vctp/store/database.hpp"

using namespace vctp;
using store::Backend;

namespace {
const std::vector<std::string> kSchemaTables{"event_checkpoints", "handled_events", "inventory", "reports",
                                             "schema_version", "snapshot_registry", "vm_events"};
}

TEST_CASE("migrations create the schema once and record it") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  {
    auto db = tdb.open();
    CHECK(db->schema_version() >= 1);
    CHECK(db->list_tables() == kSchemaTables);
  }
  auto again = tdb.open();
  const auto rows = again->query("SELECT version, name FROM schema_version ORDER BY version");
  REQUIRE(rows.size() == static_cast<std::size_t>(again->schema_version()));
  CHECK(rows[0].get_int("version") == 1);
  CHECK(rows[0].get_text("name") == "0001_initial.sql");
  // the public column names of snapshot_registry
  const auto registry = again->query("SELECT kind, table_name, vcenter, period_start, period_end, "
                                     "row_count, status, created_at, duration_ms "
                                     "FROM snapshot_registry");
  CHECK(registry.columns.size() == 9);
}

TEST_CASE("a database newer than this binary is refused with a clear message") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  {
    auto db = tdb.open();
    db->execute("INSERT INTO schema_version (version, name, applied_at) VALUES (9999, "
                "'9999_future.sql', " + db->dialect().now() + ")");
  }
  for (bool migrate : {true, false}) {
    store::OpenOptions options;
    options.migrate = migrate;
    try {
      tdb.open(options);
      FAIL("opened a database from the future");
    } catch (const store::SchemaTooNew& e) {
      const std::string msg = e.what();
      INFO(msg);
      CHECK(msg.find("9999") != std::string::npos);
      CHECK_FALSE(e.retryable());
    }
  }
}

TEST_CASE("several processes migrating the same fresh database at once apply each migration once") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  for (int round = 0; round < 3; ++round) {
    test::BackendDb tdb(backend);
    INFO(tdb.driver() << " round " << round);
    test::TempDir dir;
    const auto go = (dir / "go").string();
    std::vector<int> pids;
    for (int p = 0; p < 3; ++p) {
      pids.push_back(test::spawn({VCTP_STORE_HELPER, "migrate", tdb.driver(), tdb.url(), go}));
    }
    test::write_file(go, "go");
    for (int pid : pids) CHECK(test::wait_child(pid) == 0);
    auto db = tdb.open();
    const auto rows = db->query("SELECT version, COUNT(*) AS n FROM schema_version GROUP BY version");
    REQUIRE(rows.size() == static_cast<std::size_t>(db->schema_version()));
    for (const auto& row : rows) CHECK(row.get_int("n") == 1);
    CHECK(db->list_tables() == kSchemaTables);
  }
}

TEST_CASE("opening without migrating leaves a fresh database alone") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  store::OpenOptions options;
  options.migrate = false;
  auto db = tdb.open(options);
  CHECK(db->schema_version() == 0);
  CHECK_FALSE(db->table_exists("snapshot_registry"));
}
