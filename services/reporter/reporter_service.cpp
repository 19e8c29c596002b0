#include "reporter_service.hpp"

#include <atomic>
#include <ostream>
#include <thread>

#include "bus_report_announcer.hpp"
#include "report_generator.hpp"
#include "report_trigger.hpp"
#include "reporter_metrics.hpp"
#include "store_report_source.hpp"
#include "vctp/bus/connection.hpp"
#include "vctp/bus/consumer.hpp"
#include "vctp/bus/events.hpp"
#include "vctp/core/clock.hpp"
#include "vctp/core/logging.hpp"
#include "vctp/service/consumers.hpp"
#include "vctp/store/snapshot_registry.hpp"
#include "xlsx_writer.hpp"

namespace vctp::reporter {
namespace {

constexpr auto kWriteRetryDelay = std::chrono::seconds(60);
/// How often reports_dir is recounted (so that removed files show in vctp_reports_available).
constexpr auto kRecountEvery = std::chrono::seconds(10);
/// How often the chargeback gauges look for a newer closed day or month than they show.
constexpr auto kGaugesRefresh = std::chrono::minutes(5);

std::size_t expected_vcenters(const core::Settings& s) { return s.vcenter_addresses.size(); }

/// Announces when it can and only warns when it cannot: for --once, where the file is what counts.
class BestEffortAnnouncer final : public ReportAnnouncer {
 public:
  explicit BestEffortAnnouncer(ReportAnnouncer* inner) : inner_(inner) {}
  void announce(const GeneratedReport& report) override {
    if (!inner_) {
      core::log_warn("report not announced: NATS is not reachable", {{"file", report.file_name}});
      return;
    }
    try {
      inner_->announce(report);
    } catch (const std::exception& e) {
      core::log_warn("report not announced", {{"file", report.file_name}, {"error", e.what()}});
    }
  }

 private:
  ReportAnnouncer* inner_;
};

/// What a consumer does with an event that asks for `period` (or for nothing).
bus::HandlerResult handle_request(ReportGenerator& generator, const std::optional<ReportPeriod>& period) {
  if (!period) return bus::HandlerResult::ack();
  try {
    generator.generate(*period);
    return bus::HandlerResult::ack();
  } catch (const NoReportData&) {
    // Logged and counted by the generator; another event will come when there is data.
    return bus::HandlerResult::ack();
  } catch (const ReportWriteError&) {
    return bus::HandlerResult::retry(kWriteRetryDelay);
  }
}

}  // namespace

std::optional<int> run_once(service::CommandContext& context, const std::optional<OnceRequest>& once,
                            ReporterMetrics& metrics, std::ostream& out, std::ostream& err) {
  if (!once) return std::nullopt;
  const auto& period = once->period;
  const auto& settings = context.settings;
  try {
    StoreReportSource source(context.db(), settings.node_charge_clusters, expected_vcenters(settings));
    StoreReportCatalog catalog(context.db());
    std::unique_ptr<bus::EventPublisher> publisher;
    std::unique_ptr<BusReportAnnouncer> bus_announcer;
    if (auto* nats = context.nats()) {
      publisher = std::make_unique<bus::EventPublisher>(*nats, "reporter");
      bus_announcer = std::make_unique<BusReportAnnouncer>(*publisher);
    }
    BestEffortAnnouncer announcer(bus_announcer.get());
    ReportGenerator generator(source, &catalog, &announcer, settings.reports_dir, ChargePolicy::from_settings(settings),
                              context.clock, metrics);
    const GeneratedReport report = generator.generate(period);
    out << (std::filesystem::path(settings.reports_dir) / report.file_name).string() << "\n";
    for (const auto& file : report.companion_files) {
      out << (std::filesystem::path(settings.reports_dir) / file).string() << "\n";
    }
    return 0;
  } catch (const NoReportData& e) {
    err << "vctp-reporter: no " << to_string(period.kind()) << " report for " << period.label() << ": " << e.what()
        << "\n";
  } catch (const ReportWriteError& e) {
    err << "vctp-reporter: cannot write the " << to_string(period.kind()) << " report for " << period.label() << ": "
        << e.what() << "\n";
  } catch (const std::exception& e) {
    err << "vctp-reporter: the " << to_string(period.kind()) << " report for " << period.label()
        << " failed: " << e.what() << "\n";
  }
  return 1;
}

struct ReporterService::Parts {
  Parts(service::ServiceContext& c, ReporterMetrics& m)
      : context(c),
        metrics(m),
        source(c.db, c.settings.node_charge_clusters, expected_vcenters(c.settings)),
        catalog(c.db),
        publisher(c.nats, "reporter"),
        announcer(publisher),
        gauges(c.metrics, ChargePolicy::from_settings(c.settings)),
        handled(c.db, "reporter"),
        generator(source, &catalog, &announcer, c.settings.reports_dir, ChargePolicy::from_settings(c.settings),
                  c.clock, metrics, &gauges),
        bus_setup(c) {}

  service::ServiceContext& context;
  ReporterMetrics& metrics;
  StoreReportSource source;
  StoreReportCatalog catalog;
  bus::EventPublisher publisher;
  BusReportAnnouncer announcer;
  ChargebackGauges gauges;
  store::HandledEvents handled;
  ReportGenerator generator;
  std::vector<std::unique_ptr<bus::Consumer>> consumers;
  service::BusSetup bus_setup;
  std::thread gauges_refresh;
  std::thread recount;
};

namespace {

/// Adds the reporter's consumer of `Event`, which asks for the report that `request_of` names.
template <typename Event, typename RequestOf>
void add_consumer(ReporterService::Parts& p, RequestOf request_of) {
  bus::ConsumerOptions options;
  options.batch = 1;  // reports are long jobs: one at a time
  p.consumers.push_back(
      std::make_unique<bus::Consumer>(p.context.nats, service::durable_consumer("reporter", Event::kSubject),
                                      service::handle_once<Event>(p.handled, p.context.clock,
                                                                  [&p, request_of](const Event& e, const bus::Message&) {
                                                                    return handle_request(p.generator, request_of(e));
                                                                  }),
                                      p.context.metrics, options));
}

void start_consumers(ReporterService::Parts& p) {
  add_consumer<bus::SnapshotCompleted>(p, [](const bus::SnapshotCompleted& e) {
    return report_for_snapshot(std::string(bus::to_string(e.kind)), e.period_start,
                               std::string(bus::to_string(e.status)));
  });
  add_consumer<bus::AggregateCompleted>(p, [](const bus::AggregateCompleted& e) {
    return report_for_aggregate(std::string(bus::to_string(e.kind)), e.period, std::string(bus::to_string(e.status)));
  });
  for (auto& consumer : p.consumers) consumer->start(&p.context.stop);
}

/// Shows the latest closed day and month in the chargeback gauges when they show an older one (at
/// start, and when another replica wrote the newer report).
void refresh_gauges(ReporterService::Parts& p) {
  store::SnapshotRegistry registry(p.context.db);
  for (const auto kind : {ReportKind::kDaily, ReportKind::kMonthly}) {
    store::SnapshotFilter filter;
    filter.kind = kind == ReportKind::kDaily ? store::SnapshotKind::kDaily : store::SnapshotKind::kMonthly;
    filter.status = store::SnapshotStatus::kOk;
    filter.to = ReportPeriod::containing(kind, p.context.clock.now()).start();
    filter.limit = 1;
    const auto page = registry.list(filter);
    if (page.records.empty()) continue;
    const auto latest = ReportPeriod::containing(kind, page.records.front().period_start);
    if (const auto shown = p.gauges.shown(kind); shown && !(shown->start() < latest.start())) continue;
    try {
      p.gauges.update(latest, kind == ReportKind::kDaily ? p.source.daily(latest).vms : p.source.monthly(latest).vms);
    } catch (const NoReportData&) {
      // An empty summary: nothing to show.
    }
  }
}

}  // namespace

ReporterService::ReporterService(service::ServiceContext& context, ReporterMetrics& metrics)
    : parts_(std::make_unique<Parts>(context, metrics)) {}

ReporterService::~ReporterService() { stop(); }

void ReporterService::start() {
  auto& p = *parts_;
  p.metrics.reports_available.set(static_cast<double>(count_report_files(p.context.settings.reports_dir)));
  p.recount = std::thread([&p] {
    while (!p.context.stop.wait_for(kRecountEvery)) p.generator.recount();
  });
  core::log_info("reporter ready", {{"reports_dir", p.context.settings.reports_dir}});
  p.gauges_refresh = std::thread([&p] {
    do {
      try {
        refresh_gauges(p);
      } catch (const std::exception& e) {
        core::log_warn("cannot refresh the chargeback gauges; retrying later", {{"error", e.what()}});
      }
    } while (!p.context.stop.wait_for(kGaugesRefresh));
  });
  p.bus_setup.start(
      [&p] {
        start_consumers(p);
        core::log_info("reporter consuming", {{"subjects", "vctp.snapshot.completed, vctp.aggregate.completed"}});
      },
      [&p] { p.consumers.clear(); });
}

void ReporterService::stop() {
  if (!parts_) return;
  auto& p = *parts_;
  p.context.stop.request_stop();
  p.bus_setup.join();
  for (auto* thread : {&p.gauges_refresh, &p.recount}) {
    if (thread->joinable()) thread->join();
  }
  for (auto& consumer : p.consumers) consumer->stop();
}

}  // namespace vctp::reporter
