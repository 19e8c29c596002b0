#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
class Registry;
}  // namespace prometheus

namespace vctp::metrics {

using Labels = std::map<std::string, std::string>;

/// A monotonically increasing count.
class Counter {
 public:
  explicit Counter(prometheus::Counter* impl) : impl_(impl) {}
  void inc(double by = 1.0);
  double value() const;

 private:
  prometheus::Counter* impl_;
};

/// A value that goes up and down.
class Gauge {
 public:
  explicit Gauge(prometheus::Gauge* impl) : impl_(impl) {}
  void set(double v);
  void inc(double by = 1.0);
  void dec(double by = 1.0);
  /// Sets the gauge to the current Unix time in seconds.
  void set_to_now();
  double value() const;

 private:
  prometheus::Gauge* impl_;
};

/// Observations counted into buckets.
class Histogram {
 public:
  explicit Histogram(prometheus::Histogram* impl) : impl_(impl) {}
  void observe(double v);
  /// The number of observations so far.
  std::uint64_t count() const;

 private:
  prometheus::Histogram* impl_;
};

/// Buckets for durations in seconds, from 5 ms to 10 minutes.
std::vector<double> duration_buckets();

/// The metrics of one process. Asking twice for the same name and labels returns the same
/// metric, so a metric can be registered at start (reading 0) and found again where it is used.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Counter counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram histogram(const std::string& name, const std::string& help,
                      const std::vector<double>& buckets = duration_buckets(), const Labels& labels = {});

  /// Removes the gauge of that name and labels (a series that no longer exists); nothing when absent.
  void remove_gauge(const std::string& name, const Labels& labels);

  /// Declares a labelled family without any child yet (its HELP and TYPE show at once).
  void declare_counter_family(const std::string& name, const std::string& help);
  void declare_gauge_family(const std::string& name, const std::string& help);
  void declare_histogram_family(const std::string& name, const std::string& help);

  /// The Prometheus text exposition format of every metric.
  std::string serialize() const;

  /// The underlying prometheus-cpp registry (for an exposer).
  std::shared_ptr<prometheus::Registry> native() const { return registry_; }

 private:
  struct Families;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Families> families_;
  mutable std::mutex mutex_;
};

}  // namespace vctp::metrics
