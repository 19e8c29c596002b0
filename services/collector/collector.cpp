#include "collector.hpp"

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "snapshot_rows.hpp"
#include "vctp/core/logging.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/store/errors.hpp"
#include "vctp/store/inventory.hpp"
#include "vctp/store/snapshot_writer.hpp"
#include "vctp/store/table_name.hpp"
#include "vctp/vsphere/errors.hpp"
#include "vctp/vsphere/events.hpp"
#include "vctp/vsphere/soap_metrics.hpp"

namespace vctp::collector {
namespace {

/// How far back the first event poll of a vCenter reads.
constexpr auto kFirstEventWindow = std::chrono::hours(24 * 7);
/// How far before its checkpoint an event poll starts again: events posted concurrently may
/// carry slightly older times than the last one read (those read already are left out by key).
constexpr auto kEventOverlap = std::chrono::minutes(5);
/// EventFilterSpec.maxCount of each event collector: the most one collector may hold, so the
/// poll reads again after the newest event until nothing new comes.
constexpr int kEventCollectorMax = 1000;

bool is_connect_failure(const vsphere::VsphereError& e) {
  switch (e.kind()) {
    case vsphere::ErrorKind::kInvalidLogin:
    case vsphere::ErrorKind::kTransport:
    case vsphere::ErrorKind::kTimeout:
    case vsphere::ErrorKind::kTls:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string future_snapshot_problem(TimePoint at, TimePoint now) {
  if (at <= now + kMaxSnapshotLead) return {};
  return "snapshot time " + core::format_iso8601(at) + " is more than " + std::to_string(kMaxSnapshotLead.count()) +
         " minutes ahead of this host's clock (" + core::format_iso8601(now) +
         "): an hour that has not come yet cannot be snapshotted";
}

Collector::Collector(const core::Settings& settings, std::string vcenter_password, store::Database& db,
                     CollectorMetrics& metrics, const core::Clock& clock)
    : settings_(settings), password_(std::move(vcenter_password)), db_(db), metrics_(metrics), clock_(clock) {
  for (const auto& url : settings_.vcenter_addresses) {
    auto endpoint = std::make_unique<Endpoint>();
    endpoint->url = url;
    endpoint->label = vcenter_metric_label(url);
    metrics_.add_vcenter(endpoint->label);
    endpoints_.push_back(std::move(endpoint));
  }
}

Collector::~Collector() = default;

std::vector<std::string> Collector::vcenters() const {
  std::vector<std::string> labels;
  for (const auto& e : endpoints_) labels.push_back(e->label);
  return labels;
}

Collector::Endpoint* Collector::find(const std::string& vcenter) {
  for (const auto& e : endpoints_) {
    if (e->label == vcenter || e->url == vcenter) return e.get();
  }
  return nullptr;
}

vsphere::VcenterClient& Collector::client_of(Endpoint& endpoint) {
  if (!endpoint.client) {
    vsphere::ClientOptions options;
    options.url = endpoint.url;
    options.username = settings_.vcenter_username;
    options.password = password_;
    options.insecure = settings_.vcenter_insecure;
    options.label = endpoint.label;
    options.on_soap_call = vsphere::soap_call_metrics(metrics_.registry, endpoint.label);
    endpoint.client = std::make_unique<vsphere::VcenterClient>(std::move(options));
  }
  return *endpoint.client;
}

SnapshotOutcome Collector::snapshot(const std::string& vcenter, TimePoint hour) {
  hour = core::floor_hour(hour);
  const auto table = store::TableName::hourly(hour);
  SnapshotOutcome outcome;
  outcome.vcenter = vcenter;
  outcome.table = table.str();
  outcome.hour = hour;
  Endpoint* endpoint = find(vcenter);
  if (!endpoint) {
    outcome.error = "unknown vCenter '" + vcenter + "': not in vcenter_addresses";
    return outcome;
  }
  outcome.vcenter = endpoint->label;
  metrics_.snapshots_total.inc();
  const auto started = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  };
  store::SnapshotWriter writer(db_, clock_);
  try {
    std::lock_guard lock(endpoint->mutex);
    auto& client = client_of(*endpoint);
    const vsphere::Inventory inventory = client.retrieve_inventory(static_cast<int>(settings_.tenant_folder_level));
    for (const auto& warning : inventory.warnings) {
      core::log_warn("inventory warning", {{"vcenter", endpoint->label}, {"warning", warning}});
    }
    const auto vm_result = writer.write_vms(table, endpoint->label, hourly_vm_rows(inventory, hour));
    writer.write_hosts(store::TableName::hosts(hour), endpoint->label, host_rows(inventory, hour));
    store_inventory(inventory, clock_.now());
    outcome.ok = true;
    outcome.rows = vm_result.rows;
    metrics_.inventory_size(endpoint->label).set(static_cast<double>(inventory.vms.size()));
  } catch (const vsphere::VsphereError& e) {
    outcome.error = e.what();
    if (is_connect_failure(e)) metrics_.connect_failures(endpoint->label).inc();
    if (e.kind() == vsphere::ErrorKind::kTransport || e.kind() == vsphere::ErrorKind::kTimeout) {
      endpoint->client.reset();  // a fresh connection and session next time
    }
  } catch (const store::StoreError& e) {
    outcome.error = e.what();
    outcome.retryable = e.retryable();
  } catch (const std::exception& e) {
    outcome.error = e.what();
  }
  const auto duration = elapsed();
  outcome.duration_s = std::chrono::duration<double>(duration).count();
  metrics_.snapshot_duration(endpoint->label).set(outcome.duration_s);
  if (outcome.ok) {
    metrics_.snapshot_last_unix.set(
        static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count()));
    metrics_.snapshot_last_rows.set(static_cast<double>(outcome.rows));
    core::log_info("snapshot written", {{"vcenter", endpoint->label}, {"table", outcome.table},
                                        {"rows", std::to_string(outcome.rows)},
                                        {"seconds", std::to_string(outcome.duration_s)}});
  } else {
    metrics_.snapshots_failed_total.inc();
    core::log_error("snapshot failed", {{"vcenter", endpoint->label}, {"table", outcome.table}, {"error", outcome.error}});
    try {
      writer.record_failure(table, endpoint->label, outcome.error, duration);
    } catch (const std::exception& e) {
      core::log_error("cannot register the failed snapshot", {{"vcenter", endpoint->label}, {"error", e.what()}});
    }
  }
  return outcome;
}

std::vector<SnapshotOutcome> Collector::snapshot_all(TimePoint hour, const SnapshotAnnouncer& announce,
                                                     const std::optional<std::string>& only) {
  std::vector<std::string> targets;
  if (only) {
    targets.push_back(*only);
  } else {
    targets = vcenters();
  }
  std::vector<SnapshotOutcome> outcomes(targets.size());
  if (targets.empty()) return outcomes;
  std::size_t workers = targets.size();
  if (settings_.hourly_snapshot_concurrency > 0) {
    workers = std::min<std::size_t>(workers, static_cast<std::size_t>(settings_.hourly_snapshot_concurrency));
  }
  std::atomic<std::size_t> next{0};
  std::mutex announce_mutex;
  const auto work = [&] {
    for (std::size_t i = next++; i < targets.size(); i = next++) {
      outcomes[i] = snapshot(targets[i], hour);
      if (announce) {
        std::lock_guard lock(announce_mutex);
        try {
          announce(outcomes[i]);
        } catch (const std::exception& e) {
          core::log_error("cannot announce the snapshot", {{"vcenter", outcomes[i].vcenter}, {"error", e.what()}});
        }
      }
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  return outcomes;
}

void Collector::store_inventory(const vsphere::Inventory& inventory, TimePoint seen_at) {
  auto records = inventory_records(inventory, seen_at);
  db_.transact([&](store::Transaction& tx) {
    store::upsert_inventory(tx, records);
    // VMs of this vCenter that were alive and are gone now: deleted when they were last seen,
    // until a VmRemovedEvent says when exactly.
    std::set<std::string> present;
    for (const auto& r : records) present.insert(r.instance_uuid);
    for (const auto& known : store::load_inventory(tx, inventory.vcenter_uuid)) {
      if (!known.deletion_time && !present.count(known.instance_uuid)) {
        store::mark_vm_deleted(tx, inventory.vcenter_uuid, known.instance_uuid, known.last_seen);
      }
    }
    // Events read before their VM was first seen (a poll every minute, a refresh every fifteen)
    // get its instance UUID now, so the aggregator can use them.
    if (store::resolve_event_instance_uuids(tx, inventory.vcenter_uuid) > 0) {
      store::apply_creation_events(tx, inventory.vcenter_uuid);
    }
  });
}

void Collector::refresh_inventory() {
  for (const auto& endpoint : endpoints_) {
    try {
      std::lock_guard lock(endpoint->mutex);
      const auto inventory = client_of(*endpoint).retrieve_inventory(static_cast<int>(settings_.tenant_folder_level));
      store_inventory(inventory, clock_.now());
      metrics_.inventory_size(endpoint->label).set(static_cast<double>(inventory.vms.size()));
    } catch (const std::exception& e) {
      core::log_warn("inventory refresh failed", {{"vcenter", endpoint->label}, {"error", e.what()}});
    }
  }
}

std::int64_t Collector::poll_events_of(Endpoint& endpoint) {
  std::lock_guard lock(endpoint.mutex);
  auto& client = client_of(endpoint);
  const std::string vcenter_uuid = client.about().instance_uuid;
  const auto checkpoint =
      db_.transact([&](store::Transaction& tx) { return store::load_event_checkpoint(tx, vcenter_uuid); });

  // Read from a little before the checkpoint and leave out by key what was read before (here,
  // not through EventQuery.after_key, so that a batch's size tells whether its collector was full).
  const std::int64_t read_up_to = checkpoint ? checkpoint->last_event_key : 0;
  vsphere::EventQuery query;
  query.filter_max_count = kEventCollectorMax;
  query.begin = checkpoint ? checkpoint->last_event_time - kEventOverlap : clock_.now() - kFirstEventWindow;
  std::vector<vsphere::VmEvent> events;
  std::set<std::int64_t> keys;
  for (;;) {
    const auto batch = client.read_events(query);
    auto newest = *query.begin;
    for (const auto& e : batch) {
      newest = std::max(newest, e.created_time);
      if (e.key > read_up_to && keys.insert(e.key).second) events.push_back(e);
    }
    // A collector that held fewer than its maximum held every event from query.begin on.
    if (batch.size() < static_cast<std::size_t>(kEventCollectorMax)) break;
    if (std::chrono::floor<std::chrono::seconds>(newest) <= std::chrono::floor<std::chrono::seconds>(*query.begin)) {
      core::log_warn("more lifecycle events in one second than an event collector holds: some may be missed",
                     {{"vcenter", endpoint.label}, {"time", core::format_iso8601(newest)}});
      break;
    }
    query.begin = newest;  // the read after this one starts with the newest second read
  }
  std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  if (events.empty()) return 0;

  return db_.transact([&](store::Transaction& tx) {
    std::map<std::string, std::string> uuid_of_vm;
    for (const auto& vm : store::load_inventory(tx, vcenter_uuid)) uuid_of_vm[vm.vm_id] = vm.instance_uuid;
    std::vector<store::VmEvent> rows;
    for (const auto& e : events) {
      store::VmEvent row;
      row.vcenter_uuid = vcenter_uuid;
      row.event_key = e.key;
      row.event_type = e.type;
      row.created_time = e.created_time;
      row.vm_id = e.vm_id;
      row.vm_name = e.vm_name;
      if (const auto it = uuid_of_vm.find(e.vm_id); it != uuid_of_vm.end()) row.instance_uuid = it->second;
      if (row.instance_uuid && e.type == "VmRemovedEvent") {
        store::mark_vm_deleted(tx, vcenter_uuid, *row.instance_uuid, e.created_time);
      } else if (row.instance_uuid && store::is_creation_event(e.type)) {
        store::mark_vm_created(tx, vcenter_uuid, *row.instance_uuid, e.created_time);
      }
      rows.push_back(std::move(row));
    }
    const std::int64_t added = store::insert_vm_events(tx, rows);
    const auto& last = events.back();
    store::save_event_checkpoint(tx, {vcenter_uuid, last.key, last.created_time});
    return added;
  });
}

std::int64_t Collector::poll_events() {
  std::int64_t added = 0;
  for (const auto& endpoint : endpoints_) {
    try {
      added += poll_events_of(*endpoint);
    } catch (const std::exception& e) {
      core::log_warn("event polling failed", {{"vcenter", endpoint->label}, {"error", e.what()}});
    }
  }
  return added;
}

}  // namespace vctp::collector
