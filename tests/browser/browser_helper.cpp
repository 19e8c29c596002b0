// What the browser test needs besides the browser:
//   vctp-browser-helper seed DRIVER URL REPORTS_DIR   fills the database, prints what it wrote (JSON)
//   vctp-browser-helper aggregator NATS_URL           answers vctp.aggregate.requested like the
//                                                     aggregator would, until SIGTERM
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "gateway_seed.hpp"
#include "vctp/bus/connection.hpp"
#include "vctp/bus/consumer.hpp"
#include "vctp/bus/events.hpp"
#include "vctp/core/settings.hpp"
#include "vctp/core/shutdown.hpp"
#include "vctp/metrics/registry.hpp"
#include "vctp/store/database.hpp"

using namespace vctp;

namespace {

int seed(const std::string& driver, const std::string& url, const std::string& reports_dir) {
  auto db = store::open_database(driver, url);
  const auto s = test::seed_gateway_data(*db, reports_dir, std::chrono::system_clock::now());
  const nlohmann::json out = {{"day", s.day_text},
                              {"month", s.month_text},
                              {"vm_name", s.vm_name},
                              {"vm_instance_uuid", s.vm_instance_uuid},
                              {"report_files", s.report_files},
                              {"inventory_vms", s.inventory_vms}};
  std::cout << out.dump() << std::endl;
  return 0;
}

int aggregator(const std::string& nats_url) {
  core::block_termination_signals();
  core::Settings settings = core::Settings::defaults();
  settings.nats_url = nats_url;
  metrics::Registry registry;
  bus::ConnectionOptions options;
  options.name = "browser-test-aggregator";
  options.retry_on_failed_connect = false;
  bus::Connection connection(settings, registry, options);
  connection.ensure_stream();
  bus::EventPublisher publisher(connection, "aggregator");
  auto subscription = connection.subscribe(bus::AggregateRequested::kSubject, [&](const bus::Message& m) {
    const auto request = bus::parse_event<bus::AggregateRequested>(m.data);
    std::thread([&publisher, request] {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      bus::AggregateCompleted done;
      done.kind = request.kind;
      done.period = request.period;
      std::string digits;
      for (char c : request.period) {
        if (c != '-') digits += c;
      }
      done.table = std::string(request.kind == bus::AggregateKind::kDaily ? "summary_daily_" : "summary_monthly_") + digits;
      done.rows = 6;
      done.request_id = request.request_id;
      try {
        publisher.publish(done);
      } catch (const std::exception& e) {
        std::cerr << "cannot publish the completion: " << e.what() << std::endl;
      }
    }).detach();
  });
  std::cout << "ready" << std::endl;
  core::wait_for_termination_signal();
  subscription.close();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() == 4 && args[0] == "seed") return seed(args[1], args[2], args[3]);
    if (args.size() == 2 && args[0] == "aggregator") return aggregator(args[1]);
    std::cerr << "usage: vctp-browser-helper seed DRIVER URL REPORTS_DIR | aggregator NATS_URL\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "vctp-browser-helper: " << e.what() << std::endl;
    return 1;
  }
}
