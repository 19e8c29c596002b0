#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "bus_test_support.hpp"
#include "nats_server.hpp"
#include "sample_events.hpp"
#include "vctp/bus/consumer.hpp"
#include "vctp/core/shutdown.hpp"
#include "vctp/metrics/registry.hpp"

using namespace vctp::bus;
using namespace std::chrono_literals;
using vctp::bus::test::at;
using vctp::bus::test::consumer_config;
using vctp::bus::test::NatsServer;
using vctp::bus::test::quick_reconnect;
using vctp::bus::test::Received;
using vctp::bus::test::settings_for;

namespace {

SnapshotCompleted snapshot(int i) {
  SnapshotCompleted e;
  e.kind = PeriodKind::kHourly;
  e.table = "snap_hourly_2026112510";
  e.vcenter = "vc" + std::to_string(i % 3) + ".example.com";
  e.period_start = at("2026-11-25T10:00:00Z");
  e.rows = i;
  e.duration_s = 0.25;
  return e;
}

double counter(vctp::metrics::Registry& registry, const std::string& name, const vctp::metrics::Labels& labels = {}) {
  return registry.counter(name, "", labels).value();
}

std::string day(int n) {
  using namespace std::chrono;
  const year_month_day d{sys_days{2026y / January / 1} + days{n}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

}  // namespace

TEST_CASE("a consumer stopped while 1,000 events are published receives all after it restarts, none twice",
          "[bus][integration]") {
  NatsServer server;
  vctp::metrics::Registry registry;
  Connection connection(settings_for(server.url()), registry, quick_reconnect());
  connection.ensure_stream();
  const ConsumerConfig config =
      consumer_config(durable_name("reporter", SnapshotCompleted::kSubject), SnapshotCompleted::kSubject);
  Received received;
  auto handler = event_handler<SnapshotCompleted>([&](const SnapshotCompleted& e, const Message&) {
    received.add(e.envelope.id);
    return HandlerResult::ack();
  });
  ConsumerOptions options;
  options.batch = 50;
  {
    Consumer consumer(connection, config, handler, registry, options);
    consumer.start();
    consumer.stop();
  }

  EventPublisher publisher(connection, "collector");
  std::set<std::string> published;
  for (int i = 0; i < 1000; ++i) {
    SnapshotCompleted e = snapshot(i);
    publisher.publish(e);
    published.insert(e.envelope.id);
  }
  REQUIRE(published.size() == 1000);
  CHECK(received.total() == 0);
  CHECK(connection.consumer_state("VCTP", config.durable).num_pending == 1000);

  {
    Consumer consumer(connection, config, handler, registry, options);
    consumer.start();
    REQUIRE(received.wait_distinct(1000, 60s));
    consumer.stop();
  }
  CHECK(received.keys() == published);
  CHECK(received.more_than_once() == 0);
  const ConsumerState state = connection.consumer_state("VCTP", config.durable);
  CHECK(state.num_pending == 0);
  CHECK(state.num_ack_pending == 0);
  CHECK(state.num_redelivered == 0);

  // Started once more: nothing acknowledged comes back.
  {
    Consumer consumer(connection, config, handler, registry, options);
    consumer.start();
    // Waits for something not to happen: no state shows "nothing more will come", so this is a
    // window to watch, not synchronisation.
    std::this_thread::sleep_for(1500ms);
    consumer.stop();
  }
  CHECK(received.total() == 1000);
  CHECK(counter(registry, "vctp_bus_messages_total", {{"consumer", config.durable}, {"result", "acked"}}) == 1000);
}

TEST_CASE("nats-server restarted in the middle of a stream of publishes: nothing acknowledged is lost",
          "[bus][integration]") {
  NatsServer server;
  vctp::metrics::Registry registry;
  Connection connection(settings_for(server.url()), registry, quick_reconnect());
  connection.ensure_stream();
  const ConsumerConfig config =
      consumer_config(durable_name("aggregator", SnapshotCompleted::kSubject), SnapshotCompleted::kSubject);
  Received received;
  Consumer consumer(connection, config,
                    event_handler<SnapshotCompleted>([&](const SnapshotCompleted& e, const Message&) {
                      received.add(e.envelope.id);
                      return HandlerResult::ack();
                    }),
                    registry);
  consumer.start();

  EventPublisher publisher(connection, "collector");
  std::mutex mutex;
  std::set<std::string> acknowledged;
  std::atomic<int> acked_count{0};
  std::atomic<int> failed{0};
  std::thread producer([&] {
    for (int i = 0; i < 400; ++i) {
      SnapshotCompleted e = snapshot(i);
      PublishOptions options;
      options.ack_timeout = 1s;
      options.retry_for = 30s;
      try {
        publisher.publish(e, options);
        std::lock_guard lock(mutex);
        acknowledged.insert(e.envelope.id);
        ++acked_count;
      } catch (const PublishError&) {
        ++failed;
      }
    }
  });
  auto wait_acked = [&](int n) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (acked_count < n && failed == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(5ms);
  };
  wait_acked(100);
  server.restart(/*kill=*/true);
  wait_acked(250);
  server.restart(/*kill=*/false);
  producer.join();

  CHECK(failed == 0);
  REQUIRE(acked_count == 400);
  std::set<std::string> expected;
  {
    std::lock_guard lock(mutex);
    expected = acknowledged;
  }
  CHECK(received.wait_all(expected, 60s));
  consumer.stop();
  std::size_t missing = 0;
  const auto got = received.keys();
  for (const auto& id : expected) missing += got.count(id) ? 0 : 1;
  CHECK(missing == 0);
  // Retries carried the event id as Nats-Msg-Id: what JetStream holds is each event once.
  CHECK(connection.stream_state("VCTP").messages == 400);
  CHECK(counter(registry, "vctp_bus_reconnects_total") >= 2);
}

TEST_CASE("two replicas running the same scheduler produce one job per key", "[bus][integration]") {
  NatsServer server;
  vctp::metrics::Registry registry_a;
  vctp::metrics::Registry registry_b;
  Connection replica_a(settings_for(server.url()), registry_a, quick_reconnect());
  Connection replica_b(settings_for(server.url()), registry_b, quick_reconnect());
  replica_a.ensure_stream();
  replica_b.ensure_stream();
  EventPublisher scheduler_a(replica_a, "collector");
  EventPublisher scheduler_b(replica_b, "collector");

  std::atomic<int> duplicates{0};
  auto run_schedule = [&](EventPublisher& scheduler) {
    for (int hour = 0; hour < 6; ++hour) {
      for (const char* vcenter : {"vc1", "vc2", "vc3"}) {
        SnapshotRequested job;
        job.vcenter = vcenter;
        PublishOptions options;
        options.msg_id = snapshot_job_id(vcenter, at("2026-11-25T00:00:00Z") + std::chrono::hours(hour));
        if (scheduler.publish(job, options).duplicate) ++duplicates;
      }
    }
  };
  std::thread a([&] { run_schedule(scheduler_a); });
  std::thread b([&] { run_schedule(scheduler_b); });
  a.join();
  b.join();
  CHECK(duplicates == 18);
  CHECK(replica_a.stream_state("VCTP").messages == 18);

  // Both collector replicas bind the same durable: each job is handled once.
  const ConsumerConfig config =
      consumer_config(durable_name("collector", SnapshotRequested::kSubject), SnapshotRequested::kSubject);
  Received handled;
  auto handler = [&](const SnapshotRequested&, const Message& m) {
    handled.add(m.header(std::string(kMsgIdHeader)).value_or("?"));
    return HandlerResult::ack();
  };
  Consumer consumer_a(replica_a, config, event_handler<SnapshotRequested>(handler), registry_a);
  Consumer consumer_b(replica_b, config, event_handler<SnapshotRequested>(handler), registry_b);
  consumer_a.start();
  consumer_b.start();
  REQUIRE(handled.wait_distinct(18, 30s));
  consumer_a.stop();
  consumer_b.stop();
  CHECK(handled.total() == 18);
  CHECK(handled.more_than_once() == 0);
  CHECK(handled.keys().count("snapshot:vc2:2026112503") == 1);
}

TEST_CASE("two replicas on one durable consumer split the jobs, each handled once", "[bus][integration]") {
  NatsServer server;
  vctp::metrics::Registry registry_a;
  vctp::metrics::Registry registry_b;
  Connection replica_a(settings_for(server.url()), registry_a, quick_reconnect());
  Connection replica_b(settings_for(server.url()), registry_b, quick_reconnect());
  replica_a.ensure_stream();
  const ConsumerConfig config =
      consumer_config(durable_name("aggregator", AggregateRequested::kSubject), AggregateRequested::kSubject);
  Received handled;
  std::atomic<int> by_a{0};
  std::atomic<int> by_b{0};
  auto handler_for = [&](std::atomic<int>& mine) {
    return event_handler<AggregateRequested>([&](const AggregateRequested& job, const Message&) {
      std::this_thread::sleep_for(5ms);  // some work, so both replicas get a share
      handled.add(job.period);
      ++mine;
      return HandlerResult::ack();
    });
  };
  ConsumerOptions options;
  options.batch = 2;
  Consumer consumer_a(replica_a, config, handler_for(by_a), registry_a, options);
  Consumer consumer_b(replica_b, config, handler_for(by_b), registry_b, options);
  consumer_a.start();
  consumer_b.start();

  EventPublisher scheduler(replica_a, "aggregator");
  for (int i = 0; i < 200; ++i) {
    AggregateRequested job;
    job.kind = AggregateKind::kDaily;
    job.period = day(i);
    job.request_id = "schedule";
    PublishOptions publish_options;
    publish_options.msg_id = aggregate_job_id(job.kind, job.period);
    scheduler.publish(job, publish_options);
  }
  REQUIRE(handled.wait_distinct(200, 60s));
  consumer_a.stop();
  consumer_b.stop();
  CHECK(handled.total() == 200);
  CHECK(handled.more_than_once() == 0);
  CHECK(by_a + by_b == 200);
  CHECK(by_a > 0);
  CHECK(by_b > 0);
}

TEST_CASE("a malformed message is terminated and counted, and the consumer goes on", "[bus][integration]") {
  NatsServer server;
  vctp::metrics::Registry registry;
  Connection connection(settings_for(server.url()), registry, quick_reconnect());
  connection.ensure_stream();
  const ConsumerConfig config =
      consumer_config(durable_name("reporter", SnapshotCompleted::kSubject), SnapshotCompleted::kSubject);
  Received handled;
  Consumer consumer(connection, config,
                    event_handler<SnapshotCompleted>([&](const SnapshotCompleted& e, const Message&) {
                      handled.add(e.envelope.id);
                      return HandlerResult::ack();
                    }),
                    registry);
  consumer.start();
  EventPublisher publisher(connection, "collector");
  const auto subject = SnapshotCompleted::kSubject;

  connection.publish_js(subject, "this is not JSON {");
  connection.publish_js(subject, R"({"id":"a","type":"vctp.snapshot.completed"})");
  AggregateCompleted other = vctp::bus::test::samples<AggregateCompleted>().front();
  connection.publish_js(subject, serialize_event(other));  // valid JSON, wrong event for the subject
  SnapshotCompleted first = snapshot(1);
  publisher.publish(first);
  REQUIRE(handled.wait_distinct(1, 30s));
  const vctp::metrics::Labels labels{{"consumer", config.durable}};
  CHECK(counter(registry, "vctp_bus_invalid_messages_total", labels) == 3);

  connection.publish_js(subject, std::string("\x00\x01\x02 binary", 10));
  SnapshotCompleted second = snapshot(2);
  publisher.publish(second);
  REQUIRE(handled.wait_distinct(2, 30s));
  consumer.stop();
  CHECK(handled.keys() == std::set<std::string>{first.envelope.id, second.envelope.id});
  CHECK(counter(registry, "vctp_bus_invalid_messages_total", labels) == 4);
  const ConsumerState state = connection.consumer_state("VCTP", config.durable);
  CHECK(state.num_pending == 0);
  CHECK(state.num_ack_pending == 0);  // terminated, never to be redelivered
}

TEST_CASE("a transient failure is retried with a delay, then acknowledged", "[bus][integration]") {
  NatsServer server;
  vctp::metrics::Registry registry;
  Connection connection(settings_for(server.url()), registry, quick_reconnect());
  connection.ensure_stream();
  const ConsumerConfig config =
      consumer_config(durable_name("aggregator", SnapshotCompleted::kSubject), SnapshotCompleted::kSubject);
  std::mutex mutex;
  std::vector<std::uint64_t> deliveries;
  Received done;
  ConsumerOptions options;
  options.retry_delay = 100ms;
  Consumer consumer(connection, config,
                    event_handler<SnapshotCompleted>([&](const SnapshotCompleted& e, const Message& m) {
                      {
                        std::lock_guard lock(mutex);
                        deliveries.push_back(m.num_delivered);
                      }
                      if (m.num_delivered == 1) throw std::runtime_error("database is locked");
                      if (m.num_delivered == 2) return HandlerResult::retry(100ms);
                      done.add(e.envelope.id);
                      return HandlerResult::ack();
                    }),
                    registry, options);
  consumer.start();
  EventPublisher publisher(connection, "collector");
  SnapshotCompleted e = snapshot(7);
  publisher.publish(e);
  REQUIRE(done.wait_distinct(1, 30s));
  consumer.stop();
  std::lock_guard lock(mutex);
  CHECK(deliveries == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(counter(registry, "vctp_bus_messages_total", {{"consumer", config.durable}, {"result", "retried"}}) == 2);
  CHECK(connection.consumer_state("VCTP", config.durable).num_ack_pending == 0);
}

TEST_CASE("a message that keeps failing is given up after max_deliver", "[bus][integration]") {
  NatsServer server;
  vctp::metrics::Registry registry;
  Connection connection(settings_for(server.url()), registry, quick_reconnect());
  connection.ensure_stream();
  ConsumerConfig config = consumer_config("reporter-gives-up", SnapshotCompleted::kSubject);
  config.max_deliver = 3;
  std::atomic<int> attempts{0};
  Consumer consumer(
      connection, config,
      [&](const Message&) {
        ++attempts;
        return HandlerResult::retry(50ms);
      },
      registry);
  consumer.start();
  EventPublisher publisher(connection, "collector");
  SnapshotCompleted e = snapshot(1);
  publisher.publish(e);
  const vctp::metrics::Labels labels{{"consumer", config.durable}, {"result", "given_up"}};
  vctp::test::eventually([&] { return counter(registry, "vctp_bus_messages_total", labels) >= 1; }, 30s);
  consumer.stop();
  CHECK(attempts == 3);
  CHECK(counter(registry, "vctp_bus_messages_total", labels) == 1);
  CHECK(connection.consumer_state("VCTP", config.durable).num_ack_pending == 0);
}

TEST_CASE("a consumer stops through a StopToken", "[bus][integration]") {
  NatsServer server;
  vctp::metrics::Registry registry;
  Connection connection(settings_for(server.url()), registry, quick_reconnect());
  connection.ensure_stream();
  vctp::core::StopToken stop;
  Received handled;
  // Designated initializers compile warning-free (services build with -Wextra -Werror).
  const ConsumerConfig config{.durable = "stoppable", .filter_subject = std::string(SnapshotCompleted::kSubject)};
  Consumer consumer(
      connection, config,
      [&](const Message& m) {
        handled.add(m.data);
        return HandlerResult::ack();
      },
      registry);
  consumer.start(&stop);
  CHECK(consumer.running());
  stop.request_stop();
  consumer.stop();  // joins threads that already left their loop
  CHECK_FALSE(consumer.running());
  // Messages published while stopped wait for the next start.
  EventPublisher publisher(connection, "collector");
  SnapshotCompleted e = snapshot(3);
  publisher.publish(e);
  consumer.start();
  REQUIRE(handled.wait_distinct(1, 30s));
  consumer.stop();
}

TEST_CASE("connection settings: user/password, token, cluster URLs, bad files", "[bus][integration]") {
  SECTION("user and password") {
    NatsServer server({"--user", "vctp", "--pass", "s3cret-pass"});
    vctp::metrics::Registry registry;
    auto settings = settings_for(server.url());
    settings.nats_user = "vctp";
    settings.nats_password = "s3cret-pass";
    Connection connection(settings, registry);
    REQUIRE(connection.wait_connected(10s));
    CHECK(connection.connected_url().find("s3cret") == std::string::npos);
    connection.ensure_stream();

    settings.nats_password = "wrong";
    ConnectionOptions strict;
    strict.retry_on_failed_connect = false;
    try {
      Connection rejected(settings, registry, strict);
      FAIL("a wrong password must be refused");
    } catch (const ConnectError& e) {
      CHECK(std::string(e.what()).find("wrong") == std::string::npos);  // never echo the secret
    }
  }
  SECTION("token") {
    NatsServer server({"--auth", "t0ken-value"});
    vctp::metrics::Registry registry;
    auto settings = settings_for(server.url());
    settings.nats_token = "t0ken-value";
    Connection connection(settings, registry);
    REQUIRE(connection.wait_connected(10s));
  }
  SECTION("several URLs: the one that answers is used") {
    NatsServer server;
    vctp::metrics::Registry registry;
    const auto settings =
        settings_for("nats://127.0.0.1:" + std::to_string(vctp::test::free_port()) + ", " + server.url());
    Connection connection(settings, registry);
    REQUIRE(connection.wait_connected(10s));
    connection.ensure_stream();
  }
  SECTION("unreadable creds file and CA") {
    vctp::metrics::Registry registry;
    auto settings = settings_for("nats://127.0.0.1:4222");
    settings.nats_creds_file = "/nonexistent/vctp.creds";
    CHECK_THROWS_AS(Connection(settings, registry), ConnectError);
    settings.nats_creds_file.clear();
    settings.nats_tls_ca = "/nonexistent/ca.pem";
    CHECK_THROWS_AS(Connection(settings, registry), ConnectError);
  }
  SECTION("no server yet: connects in the background, publishes once it is there") {
    const int port = vctp::test::free_port();
    vctp::metrics::Registry registry;
    Connection connection(settings_for("nats://127.0.0.1:" + std::to_string(port)), registry, quick_reconnect());
    CHECK_FALSE(connection.connected());
    NatsServer server({}, port);
    REQUIRE(connection.wait_connected(20s));
    connection.ensure_stream();
    EventPublisher publisher(connection, "collector");
    SnapshotCompleted e = snapshot(1);
    CHECK(publisher.publish(e).sequence == 1);
  }
  SECTION("TLS with the CA from nats_tls_ca") {
    vctp::test::TempDir pki;
    const std::string d = pki.path().string();
    const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    const auto made = vctp::test::run_command(
        "cd " + d + " && openssl req -x509 " + key + " -keyout ca.key -out ca.pem -days 2 -subj '/CN=vctp test CA'" +
        " && openssl req " + key + " -keyout server.key -out server.csr -subj '/CN=127.0.0.1'" +
        " && printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ext.cnf" +
        " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2" +
        " -extfile ext.cnf");
    INFO(made.output);
    REQUIRE(made.status == 0);
    NatsServer server({"--tls", "--tlscert", d + "/server.pem", "--tlskey", d + "/server.key"});
    vctp::metrics::Registry registry;
    auto settings = settings_for("tls://127.0.0.1:" + std::to_string(server.port()));
    settings.nats_tls_ca = d + "/ca.pem";
    Connection connection(settings, registry);
    REQUIRE(connection.wait_connected(10s));
    connection.ensure_stream();

    settings.nats_tls_ca.clear();  // the system CAs do not know this server
    ConnectionOptions strict;
    strict.retry_on_failed_connect = false;
    CHECK_THROWS_AS(Connection(settings, registry, strict), ConnectError);
  }
  SECTION("no server and no background retry: a clear error") {
    vctp::metrics::Registry registry;
    ConnectionOptions strict;
    strict.retry_on_failed_connect = false;
    try {
      Connection connection(settings_for("nats://127.0.0.1:" + std::to_string(vctp::test::free_port())), registry,
                            strict);
      FAIL("connecting to nothing must fail");
    } catch (const ConnectError& e) {
      CHECK(e.retryable());
    }
  }
}

TEST_CASE("a handler that runs longer than the ack wait is not delivered twice", "[bus][integration]") {
  NatsServer server;
  vctp::metrics::Registry registry;
  Connection connection(settings_for(server.url()), registry, quick_reconnect());
  connection.ensure_stream();
  ConsumerConfig config = consumer_config("slow-handler", SnapshotCompleted::kSubject);
  config.ack_wait = 1s;
  Received handled;
  ConsumerOptions options;
  options.threads = 2;  // a second fetch is waiting, ready to take a redelivery
  Consumer consumer(
      connection, config,
      [&](const Message& m) {
        std::this_thread::sleep_for(3s);  // three ack waits: kept alive by in-progress acks
        handled.add(std::to_string(m.num_delivered));
        return HandlerResult::ack();
      },
      registry, options);
  consumer.start();
  EventPublisher publisher(connection, "collector");
  SnapshotCompleted e = snapshot(1);
  publisher.publish(e);
  REQUIRE(handled.wait_distinct(1, 30s));
  // A window to watch for a redelivery (none must come), not synchronisation: the consumer state
  // cannot show a redelivery that was acknowledged already.
  std::this_thread::sleep_for(1500ms);
  consumer.stop();
  CHECK(handled.total() == 1);
  CHECK(handled.keys() == std::set<std::string>{"1"});
  CHECK(connection.consumer_state("VCTP", config.durable).num_redelivered == 0);
}

TEST_CASE("a stream and consumer lost by the server are created again", "[bus][integration]") {
  NatsServer server;
  vctp::metrics::Registry registry;
  Connection connection(settings_for(server.url()), registry, quick_reconnect());
  connection.ensure_stream();
  Received handled;
  ConsumerOptions options;
  options.verify_every = 500ms;
  Consumer consumer(connection, consumer_config("reporter-recreated", SnapshotCompleted::kSubject),
                    event_handler<SnapshotCompleted>([&](const SnapshotCompleted& e, const Message&) {
                      handled.add(e.envelope.id);
                      return HandlerResult::ack();
                    }),
                    registry, options);
  consumer.start();
  EventPublisher publisher(connection, "collector");
  SnapshotCompleted before = snapshot(1);
  publisher.publish(before);
  REQUIRE(handled.wait_distinct(1, 30s));

  connection.delete_stream("VCTP");  // as if the server had lost its store
  SnapshotCompleted after = snapshot(2);
  const PublishAck ack = publisher.publish(after);  // no stream answers: it is created again
  CHECK(ack.stream == "VCTP");
  REQUIRE(handled.wait_distinct(2, 30s));
  consumer.stop();
  CHECK(handled.keys() == std::set<std::string>{before.envelope.id, after.envelope.id});
}
