#include <sqlite3.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <thread>

#include "backend_db.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/store/database.hpp"

using namespace vctp;
using store::Backend;
using store::StoreError;

TEST_CASE("queries return typed values alike on both backends") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  const auto& d = db->dialect();
  db->execute("CREATE TABLE t (i " + std::string(d.integer_type()) + ", r " +
              std::string(d.real_type()) + ", s TEXT, b " + std::string(d.boolean_type()) +
              ", ts " + std::string(d.timestamp_type()) + ")");
  CHECK(db->execute("INSERT INTO t VALUES ($1, $2, $3, " + d.int_to_bool("$4") + ", " +
                        d.timestamp_param(5) + ")",
                    {std::int64_t{42}, 2.5, std::string("it's \"quoted\"\ttab"),
                     store::bool_value(true), std::string("2026-11-24T13:00:00Z")}) == 1);
  db->execute("INSERT INTO t VALUES ($1, $2, $3, $4, $5)",
              {store::null_value(), store::null_value(), store::null_value(), store::null_value(),
               store::null_value()});
  const auto rows = db->query("SELECT i, r, s, " + d.bool_to_int("b") + " AS b, ts FROM t ORDER BY i");
  REQUIRE(rows.size() == 2);
  CHECK(rows.columns == std::vector<std::string>{"i", "r", "s", "b", "ts"});
  // SQLite and PostgreSQL both sort NULL ... differently: find the non-null row.
  const auto& full = rows[0].is_null("i") ? rows[1] : rows[0];
  const auto& empty = rows[0].is_null("i") ? rows[0] : rows[1];
  CHECK(std::get<std::int64_t>(full.at("i")) == 42);
  CHECK(std::get<double>(full.at("r")) == 2.5);
  CHECK(full.get_text("s") == "it's \"quoted\"\ttab");
  CHECK(full.get_bool("b"));
  CHECK(full.get_text("ts") == "2026-11-24T13:00:00Z");
  for (std::size_t c = 0; c < 5; ++c) CHECK(empty.is_null(c));
  // parameters are never spliced into SQL
  const auto hostile = std::string("x'); DROP TABLE t; --");
  CHECK(db->query("SELECT COUNT(*) FROM t WHERE s = $1", {hostile})[0].get_int(0) == 0);
  CHECK(db->table_exists("t"));
}

TEST_CASE("transactions commit, roll back on error, and return values") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  db->execute("CREATE TABLE t (v INTEGER)");
  const auto n = db->transact([](store::Transaction& tx) {
    tx.execute("INSERT INTO t VALUES (1)");
    return tx.query("SELECT COUNT(*) FROM t")[0].get_int(0);
  });
  CHECK(n == 1);
  CHECK_THROWS_WITH(db->transact([](store::Transaction& tx) {
                      tx.execute("INSERT INTO t VALUES (2)");
                      throw std::runtime_error("boom");
                    }),
                    "boom");
  CHECK_THROWS_AS(db->transact([](store::Transaction& tx) {
                    tx.execute("INSERT INTO t VALUES (3)");
                    tx.execute("INSERT INTO no_such_table VALUES (1)");
                  }),
                  StoreError);
  CHECK(db->query("SELECT COUNT(*) FROM t")[0].get_int(0) == 1);
  // wrong parameter counts are errors, not silent NULLs
  CHECK_THROWS_AS(db->execute("INSERT INTO t VALUES ($1)", {}), StoreError);
}

TEST_CASE("list_tables filters with a glob and table_exists is exact") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  db->execute("CREATE TABLE snap_hourly_2026112401 (a INTEGER)");
  db->execute("CREATE TABLE snap_hourly_2026112402 (a INTEGER)");
  db->execute("CREATE TABLE summary_daily_20261124 (a INTEGER)");
  CHECK(db->list_tables("snap_hourly_*") ==
        std::vector<std::string>{"snap_hourly_2026112401", "snap_hourly_2026112402"});
  const auto all = db->list_tables();
  CHECK(std::find(all.begin(), all.end(), "snapshot_registry") != all.end());
  CHECK(std::find(all.begin(), all.end(), "schema_version") != all.end());
  CHECK_FALSE(db->table_exists("snap_hourly_20261124"));
  CHECK_FALSE(db->table_exists("snap_hourly_2026112401' OR '1'='1"));
}

TEST_CASE("threads share one database") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  store::OpenOptions options;
  options.max_connections = 3;
  auto db = tdb.open(options);
  db->execute("CREATE TABLE t (thread INTEGER, i INTEGER)");
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < 25; ++i) {
          db->transact([&](store::Transaction& tx) {
            tx.execute("INSERT INTO t VALUES ($1, $2)", {std::int64_t{t}, std::int64_t{i}});
          });
          db->query("SELECT COUNT(*) FROM t");
        }
      } catch (const std::exception&) {
        ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  CHECK(db->query("SELECT COUNT(*) FROM t")[0].get_int(0) == 150);
}

TEST_CASE("a writer blocked by another connection's lock is retried until it gets through") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  std::promise<void> retried;
  auto retried_future = retried.get_future().share();
  std::atomic<int> retries{0};
  store::OpenOptions options;
  options.busy_timeout = std::chrono::milliseconds(20);
  options.transaction_attempts = 1000;  // bounded only by the holder letting go
  options.retry_backoff = std::chrono::milliseconds(5);
  options.on_retry = [&](std::string_view what, int, const StoreError& e) {
    if (what == "transaction" && e.retryable() && retries++ == 0) retried.set_value();
  };
  auto db = tdb.open(options);
  db->execute("CREATE TABLE t (v INTEGER)");

  std::thread holder;
  std::unique_ptr<store::Database> other;
  sqlite3* raw = nullptr;
  if (backend == Backend::kSqlite) {
    REQUIRE(sqlite3_open(tdb.url().c_str(), &raw) == SQLITE_OK);
    REQUIRE(sqlite3_exec(raw, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);
    holder = std::thread([&] {
      retried_future.wait();
      sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr);
    });
  } else {
    other = tdb.open();
    std::promise<void> locked;
    auto locked_future = locked.get_future();
    holder = std::thread([&] {
      other->transact([&](store::Transaction& tx) {
        tx.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
        locked.set_value();
        retried_future.wait();
      });
    });
    locked_future.wait();
  }
  int attempts = 0;
  db->transact([&](store::Transaction& tx) {
    ++attempts;
    // PostgreSQL would wait for the lock forever; a lock timeout turns it into a retry.
    if (backend == Backend::kPostgres) tx.execute("SET LOCAL lock_timeout = '50ms'");
    tx.execute("INSERT INTO t VALUES (1)");
  });
  holder.join();
  if (raw) sqlite3_close(raw);
  CHECK(retries >= 1);
  CHECK(db->query("SELECT COUNT(*) FROM t")[0].get_int(0) == 1);
  if (backend == Backend::kPostgres) CHECK(attempts >= 2);
}

TEST_CASE("PostgreSQL serialization failures and deadlocks are retried, other errors are not") {
  test::BackendDb tdb(Backend::kPostgres);
  std::vector<std::string> retried;
  store::OpenOptions options;
  options.retry_backoff = std::chrono::milliseconds(1);
  options.on_retry = [&](std::string_view what, int, const StoreError&) {
    retried.emplace_back(what);
  };
  auto db = tdb.open(options);
  db->execute("CREATE TABLE t (v INTEGER)");
  for (const char* state : {"40001", "40P01"}) {
    INFO(state);
    retried.clear();
    int attempts = 0;
    db->transact([&](store::Transaction& tx) {
      tx.execute("INSERT INTO t VALUES (1)");
      if (++attempts == 1) {
        tx.execute(std::string("DO $$ BEGIN RAISE EXCEPTION 'simulated' USING ERRCODE = '") +
                   state + "'; END $$");
      }
    });
    CHECK(attempts == 2);
    CHECK(retried == std::vector<std::string>{"transaction"});
  }
  CHECK(db->query("SELECT COUNT(*) FROM t")[0].get_int(0) == 2);
  retried.clear();
  int attempts = 0;
  CHECK_THROWS_AS(db->transact([&](store::Transaction& tx) {
                    ++attempts;
                    tx.execute("DO $$ BEGIN RAISE EXCEPTION 'bad' USING ERRCODE = '22012'; END $$");
                  }),
                  StoreError);
  CHECK(attempts == 1);
  CHECK(retried.empty());
}

TEST_CASE("transient failures give up after the configured attempts") {
  test::BackendDb tdb(Backend::kSqlite);
  store::OpenOptions options;
  options.busy_timeout = std::chrono::milliseconds(1);
  options.transaction_attempts = 3;
  options.retry_backoff = std::chrono::milliseconds(1);
  int retries = 0;
  options.on_retry = [&](std::string_view, int, const StoreError&) { ++retries; };
  auto db = tdb.open(options);
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(tdb.url().c_str(), &raw) == SQLITE_OK);
  REQUIRE(sqlite3_exec(raw, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);
  try {
    db->execute("CREATE TABLE t (v INTEGER)");
    FAIL("a locked database was written");
  } catch (const StoreError& e) {
    CHECK(e.retryable());
    CHECK(std::string(e.what()).find("sqlite") != std::string::npos);
  }
  CHECK(retries == 2);
  sqlite3_exec(raw, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
}

TEST_CASE("a wrong password fails at once, naming driver and host, never the password") {
  const auto dsn = test::postgres_dsn();  // postgres://vctp:PASSWORD@127.0.0.1:PORT/vctp
  const auto at = dsn.find('@');
  const auto colon = dsn.find(':', std::string("postgres://").size());
  const std::string wrong = "Wr0ngSecretValue";
  const auto bad = dsn.substr(0, colon + 1) + wrong + dsn.substr(at);
  int retries = 0;
  store::OpenOptions options;
  options.on_retry = [&](std::string_view, int, const StoreError&) { ++retries; };
  try {
    store::open_database("postgres", bad, options);
    FAIL("opened with a wrong password");
  } catch (const StoreError& e) {
    const std::string msg = e.what();
    INFO(msg);
    CHECK(msg.find("postgres") != std::string::npos);
    CHECK(msg.find("127.0.0.1") != std::string::npos);
    CHECK(msg.find(wrong) == std::string::npos);
    CHECK(msg.find("****") != std::string::npos);
    CHECK_FALSE(e.retryable());
  }
  CHECK(retries == 0);
}

TEST_CASE("a wrong password with a space is masked whole, in URL and key=value DSNs") {
  const auto dsn = test::postgres_dsn();  // postgres://vctp:PASSWORD@127.0.0.1:PORT/vctp
  const auto at = dsn.find('@');
  const auto colon = dsn.find(':', std::string("postgres://").size());
  const auto host_port = dsn.substr(at + 1, dsn.find('/', at) - at - 1);
  const auto port = host_port.substr(host_port.find(':') + 1);
  const std::vector<std::string> bad = {
      dsn.substr(0, colon + 1) + "Wr0ngPart One" + dsn.substr(at),
      "host=127.0.0.1 port=" + port + " user=vctp dbname=vctp password='Wr0ngPart One'",
      "host=127.0.0.1 port=" + port + " user=vctp dbname=vctp password = 'Wr0ngPart \\'One'",
      "host=127.0.0.1 port=" + port + " user=vctp dbname=vctp password=Wr0ngPartOne"};
  for (const auto& url : bad) {
    INFO(url);
    try {
      store::open_database("postgres", url);
      FAIL("opened with a wrong password");
    } catch (const StoreError& e) {
      const std::string msg = e.what();
      INFO(msg);
      CHECK(msg.find("127.0.0.1") != std::string::npos);
      CHECK(msg.find("Wr0ng") == std::string::npos);
      CHECK(msg.find("One") == std::string::npos);
      CHECK(msg.find("****") != std::string::npos);
    }
  }
}

TEST_CASE("a server that is down at start-up is retried with backoff, then given up") {
  const int port = test::free_port();
  const std::string url =
      "postgres://vctp:TopSecret99@127.0.0.1:" + std::to_string(port) + "/vctp";
  std::vector<int> attempts;
  store::OpenOptions options;
  options.connect_attempts = 3;
  options.connect_backoff = std::chrono::milliseconds(5);
  options.on_retry = [&](std::string_view what, int attempt, const StoreError&) {
    if (what == "connect") attempts.push_back(attempt);
  };
  try {
    store::open_database("postgres", url, options);
    FAIL("connected to nothing");
  } catch (const StoreError& e) {
    const std::string msg = e.what();
    INFO(msg);
    CHECK(msg.find("postgres") != std::string::npos);
    CHECK(msg.find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
    CHECK(msg.find("TopSecret99") == std::string::npos);
    CHECK(e.retryable());
  }
  CHECK(attempts == std::vector<int>{1, 2});
}

TEST_CASE("malformed DSNs, bad paths and unknown drivers fail with clear messages") {
  const auto expect_failure = [](const std::string& driver, const std::string& url,
                                 const std::string& must_mention) {
    INFO(driver << " " << url);
    store::OpenOptions options;
    options.connect_attempts = 2;
    options.connect_backoff = std::chrono::milliseconds(1);
    try {
      store::open_database(driver, url, options);
      FAIL("opened");
    } catch (const StoreError& e) {
      const std::string msg = e.what();
      INFO(msg);
      CHECK(msg.find(must_mention) != std::string::npos);
      CHECK(msg.find("Hidden42") == std::string::npos);
    }
  };
  expect_failure("postgres", "postgres://vctp:Hidden42@127.0.0.1:notaport/vctp", "postgres");
  expect_failure("postgres", "postgres://vctp:Hidden42@db.invalid:5432/vctp", "db.invalid");
  expect_failure("postgres", "host=127.0.0.1 password=Hidden42 port=bogus", "127.0.0.1");
  expect_failure("postgres", "", "postgres");
  expect_failure("mysql", "mysql://u:Hidden42@h/db", "mysql");
  expect_failure("sqlite", "/nonexistent-dir-vctp/sub/db.sqlite3", "/nonexistent-dir-vctp/sub");
  test::TempDir dir;
  test::write_file(dir / "garbage.db", std::string(4096, 'x'));
  expect_failure("sqlite", (dir / "garbage.db").string(), "sqlite");
}

TEST_CASE("SQLite accepts file: URIs and runs in WAL mode with foreign keys on") {
  test::TempDir dir;
  auto db = store::open_database("sqlite", "file:" + (dir / "u.db").string() + "?cache=private");
  CHECK(db->query("PRAGMA journal_mode")[0].get_text(0) == "wal");
  CHECK(db->query("PRAGMA foreign_keys")[0].get_int(0) == 1);
  CHECK(std::filesystem::exists(dir / "u.db"));
  auto mem = store::open_database("sqlite", ":memory:");
  CHECK(mem->table_exists("snapshot_registry"));
}

TEST_CASE("read transactions see committed data, refuse writes and do not wait for writers") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  db->execute("CREATE TABLE t (v INTEGER)");
  db->execute("INSERT INTO t VALUES (1)");
  CHECK(db->read([](store::Transaction& tx) { return tx.query("SELECT COUNT(*) FROM t")[0].get_int(0); }) == 1);
  CHECK_THROWS_AS(db->read([](store::Transaction& tx) { tx.execute("INSERT INTO t VALUES (2)"); }),
                  StoreError);
  // the connection is writable again afterwards
  db->execute("INSERT INTO t VALUES (3)");
  // a reader gets through while a writer holds its transaction open
  std::promise<void> writing, done;
  auto writing_future = writing.get_future();
  auto done_future = done.get_future().share();
  std::thread writer([&] {
    db->transact([&](store::Transaction& tx) {
      tx.execute("INSERT INTO t VALUES (4)");
      writing.set_value();
      done_future.wait();
    });
  });
  writing_future.wait();
  const auto seen = db->read([](store::Transaction& tx) {
    return tx.query("SELECT COUNT(*) FROM t")[0].get_int(0);
  });
  done.set_value();
  writer.join();
  CHECK(seen == 2);  // the open transaction's row is not visible
  CHECK(db->query("SELECT COUNT(*) FROM t")[0].get_int(0) == 3);
}

TEST_CASE("dialect helpers give the same answers on both backends") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  const auto& d = db->dialect();
  const auto t = *core::parse_iso8601("2026-11-24T13:00:00Z");
  const auto epoch = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  const auto row = db->query(
      "SELECT " + d.epoch_seconds(d.timestamp_param(1)) + " AS e, " +
          d.from_epoch_seconds("$2") + " AS t, " + d.greatest("$3", "$4") + " AS g, " +
          d.least("$3", "$4") + " AS l, " + d.now() + " AS n, " +
          "CASE WHEN " + d.null_safe_equal("$5", "$5") + " THEN 1 ELSE 0 END AS nse",
      {store::time_value(t), std::int64_t{epoch}, std::int64_t{3}, std::int64_t{7},
       store::null_value()})[0];
  CHECK(row.get_int("e") == epoch);
  CHECK(row.get_time("t") == t);
  CHECK(row.get_int("g") == 7);
  CHECK(row.get_int("l") == 3);
  CHECK(row.get_time("n") > t - std::chrono::hours(24 * 365 * 10));
  CHECK(row.get_int("nse") == 1);

  db->execute("CREATE TABLE flags (f " + std::string(d.boolean_type()) + ")");
  db->execute("INSERT INTO flags VALUES (" + d.int_to_bool("$1") + "), (" + d.int_to_bool("$2") +
                  "), (" + d.int_to_bool("$3") + ")",
              {std::int64_t{1}, std::int64_t{0}, std::int64_t{1}});
  const auto sums = db->query("SELECT SUM(" + d.bool_to_int("f") + ") AS s, MAX(" +
                              d.bool_to_int("f") + ") AS m FROM flags WHERE f")[0];
  CHECK(sums.get_int("s") == 2);
  CHECK(sums.get_int("m") == 1);

  // Byte-ordered keys ('B' before 'a', whatever the database's locale) and temporary tables.
  db->transact([&](store::Transaction& tx) {
    for (const auto& s : d.create_temp_table("vctp_t", "SELECT 'a' AS k UNION ALL SELECT 'B' UNION ALL SELECT 'b'")) {
      tx.execute(s);
    }
    const auto keys = tx.query("SELECT k FROM vctp_t ORDER BY " + d.binary_key("k"));
    REQUIRE(keys.size() == 3);
    CHECK(keys[0].get_text(0) == "B");
    CHECK(keys[1].get_text(0) == "a");
    CHECK(keys[2].get_text(0) == "b");
    tx.execute(d.drop_temp_table("vctp_t"));
    tx.execute(d.drop_temp_table("vctp_t"));  // absent: no error
  });
}

TEST_CASE("a PostgreSQL that comes up while start-up is retrying is connected to") {
  const int port = test::free_port();
  const std::string password = "LateServer123";
  const std::string url =
      "postgres://vctp:" + password + "@127.0.0.1:" + std::to_string(port) + "/vctp";
  test::TempDir dir;
  const auto script = (test::source_dir() / "tests/fixtures/postgres.sh").string();
  const auto cluster = (dir / "pg").string();
  struct StopServer {
    std::string command;
    ~StopServer() { test::run_command(command); }
  } stop{script + " stop " + cluster};

  int started = 0;
  store::OpenOptions options;
  options.connect_attempts = 20;
  options.connect_backoff = std::chrono::milliseconds(50);
  options.connect_backoff_max = std::chrono::milliseconds(1000);
  options.on_retry = [&](std::string_view what, int, const StoreError& e) {
    if (what != "connect" || started++ > 0) return;
    CHECK(e.retryable());
    // the server appears only after the first attempt failed
    const auto result = test::run_command("VCTP_PG_PORT=" + std::to_string(port) +
                                          " VCTP_PG_PASSWORD=" + password + " " + script +
                                          " start " + cluster);
    INFO(result.output);
    REQUIRE(result.status == 0);
  };
  auto db = store::open_database("postgres", url, options);
  CHECK(started == 1);
  CHECK(db->schema_version() >= 1);
}
