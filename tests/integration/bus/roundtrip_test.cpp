#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "bus_test_support.hpp"
#include "sample_events.hpp"
#include "vctp/bus/consumer.hpp"
#include "vctp/bus/event_waiter.hpp"
#include "vctp/metrics/registry.hpp"

using namespace vctp::bus;
using namespace std::chrono_literals;
using vctp::bus::test::consumer_config;
using vctp::bus::test::fixture_url;
using vctp::bus::test::Received;
using vctp::bus::test::samples;
using vctp::bus::test::settings_for;

TEST_CASE("every event type round-trips through JetStream", "[bus][integration]") {
  vctp::metrics::Registry registry;
  Connection connection(settings_for(fixture_url()), registry);
  connection.ensure_stream();
  connection.ensure_stream();  // idempotent
  EventPublisher publisher(connection, "test");
  const std::string run = new_uuid().substr(0, 8);

  vctp::bus::test::for_each_event_type([&](auto tag) {
    using Event = decltype(tag);
    INFO(Event::kSubject);
    std::vector<Event> events = samples<Event>();
    std::set<std::string> ids;
    for (const auto& e : events) ids.insert(e.envelope.id);

    std::mutex mutex;
    std::map<std::string, std::pair<Event, Message>> got;
    Received received;
    Consumer consumer(connection, consumer_config("roundtrip-" + run + "-" + durable_name("t", Event::kSubject), Event::kSubject),
                      event_handler<Event>([&](const Event& e, const Message& m) {
                        if (ids.count(e.envelope.id)) {
                          std::lock_guard lock(mutex);
                          got.insert_or_assign(e.envelope.id, std::pair<Event, Message>(e, m));
                          received.add(e.envelope.id);
                        }
                        return HandlerResult::ack();
                      }),
                      registry);
    consumer.start();
    for (auto& e : events) {
      const PublishAck ack = publisher.publish(e);
      CHECK(ack.stream == "VCTP");
      CHECK(ack.sequence > 0);
      CHECK_FALSE(ack.duplicate);
    }
    // Publishing the same event again (a retry) is not stored twice.
    CHECK(publisher.publish(events.front()).duplicate);
    REQUIRE(received.wait_all(ids, 30s));
    consumer.stop();
    std::lock_guard lock(mutex);
    for (const auto& e : events) {
      const auto& [event, message] = got.at(e.envelope.id);
      CHECK(event == e);
      CHECK(message.subject == Event::kSubject);
      CHECK(message.header(std::string(kMsgIdHeader)) == e.envelope.id);
      CHECK(message.num_delivered == 1);
    }
    CHECK(received.more_than_once() == 0);
  });
}

TEST_CASE("a requester gets the answer on its reply subject and on the completed event", "[bus][integration]") {
  vctp::metrics::Registry registry;
  Connection gateway(settings_for(fixture_url()), registry);
  Connection aggregator(settings_for(fixture_url()), registry);
  aggregator.ensure_stream();
  EventPublisher gateway_events(gateway, "gateway");
  EventPublisher aggregator_events(aggregator, "aggregator");
  const std::string request_id = new_uuid();

  Consumer consumer(
      aggregator, consumer_config("aggregator-" + request_id.substr(0, 8), AggregateRequested::kSubject),
      event_handler<AggregateRequested>([&](const AggregateRequested& request, const Message& message) {
        if (request.request_id != request_id) return HandlerResult::ack();
        AggregateCompleted done;
        done.kind = request.kind;
        done.period = request.period;
        done.table = "summary_daily_20261124";
        done.rows = 7;
        done.request_id = request.request_id;
        aggregator_events.publish(done);
        if (auto reply_to = message.header(std::string(kReplyToHeader))) aggregator_events.reply(*reply_to, done);
        return HandlerResult::ack();
      }),
      registry);
  consumer.start();

  Received on_inbox;
  const std::string inbox = gateway.new_inbox();
  Subscription inbox_sub = gateway.subscribe(inbox, [&](const Message& m) {
    on_inbox.add(parse_event<AggregateCompleted>(m.data).request_id.value_or(""));
  });
  EventWaiter<AggregateCompleted> completed(gateway, [&](const AggregateCompleted& done) {
    return done.request_id == request_id;
  });
  EventWaiter<AggregateCompleted> someone_elses(gateway, [&](const AggregateCompleted& done) {
    return done.request_id == "not-" + request_id;
  });

  AggregateRequested request;
  request.kind = AggregateKind::kDaily;
  request.period = "2026-11-24";
  request.request_id = request_id;
  PublishOptions options;
  options.headers[std::string(kReplyToHeader)] = inbox;
  gateway_events.publish(request, options);

  REQUIRE(on_inbox.wait_distinct(1, 30s));
  CHECK(on_inbox.keys() == std::set<std::string>{request_id});
  const std::optional<AggregateCompleted> done = completed.wait(30s);
  REQUIRE(done.has_value());
  CHECK(done->request_id == request_id);
  CHECK(done->rows == 7);
  CHECK(done->envelope.source == "aggregator");
  CHECK_FALSE(someone_elses.wait(200ms).has_value());
  consumer.stop();
}

TEST_CASE("plain request/reply over core NATS", "[bus][integration]") {
  vctp::metrics::Registry registry;
  Connection server(settings_for(fixture_url()), registry);
  Connection client(settings_for(fixture_url()), registry);
  const std::string subject = "test.echo." + new_uuid().substr(0, 8);
  Subscription responder = server.subscribe(subject, [&](const Message& m) { server.publish(m.reply, "pong:" + m.data); });
  const Message answer = client.request(subject, "ping", 5s);
  CHECK(answer.data == "pong:ping");
  responder.close();
  try {
    client.request(subject, "ping", 1s);
    FAIL("a request nobody answers must fail");
  } catch (const BusError& e) {
    CHECK(e.retryable());
  }
}
