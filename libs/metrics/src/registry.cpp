#include "vctp/metrics/registry.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <chrono>
#include <stdexcept>

namespace vctp::metrics {

struct Registry::Families {
  std::map<std::string, prometheus::Family<prometheus::Counter>*> counters;
  std::map<std::string, prometheus::Family<prometheus::Gauge>*> gauges;
  std::map<std::string, prometheus::Family<prometheus::Histogram>*> histograms;
};

void Counter::inc(double by) { impl_->Increment(by); }
double Counter::value() const { return impl_->Value(); }

void Gauge::set(double v) { impl_->Set(v); }
void Gauge::inc(double by) { impl_->Increment(by); }
void Gauge::dec(double by) { impl_->Decrement(by); }
void Gauge::set_to_now() { impl_->SetToCurrentTime(); }
double Gauge::value() const { return impl_->Value(); }

void Histogram::observe(double v) { impl_->Observe(v); }
std::uint64_t Histogram::count() const {
  return impl_->Collect().histogram.sample_count;
}

std::vector<double> duration_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
}

Registry::Registry()
    : registry_(std::make_shared<prometheus::Registry>()), families_(std::make_unique<Families>()) {}

Registry::~Registry() = default;

namespace {

template <class Builder, class Map>
auto& family_of(Map& map, prometheus::Registry& registry, Builder builder, const std::string& name,
                const std::string& help) {
  auto it = map.find(name);
  if (it == map.end()) {
    auto& family = builder.Name(name).Help(help).Register(registry);
    it = map.emplace(name, &family).first;
  }
  return *it->second;
}

}  // namespace

Counter Registry::counter(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& family = family_of(families_->counters, *registry_, prometheus::BuildCounter(), name, help);
  return Counter(&family.Add(labels));
}

Gauge Registry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& family = family_of(families_->gauges, *registry_, prometheus::BuildGauge(), name, help);
  return Gauge(&family.Add(labels));
}

Histogram Registry::histogram(const std::string& name, const std::string& help,
                              const std::vector<double>& buckets, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& family = family_of(families_->histograms, *registry_, prometheus::BuildHistogram(), name, help);
  return Histogram(&family.Add(labels, buckets));
}

void Registry::remove_gauge(const std::string& name, const Labels& labels) {
  std::lock_guard lock(mutex_);
  const auto it = families_->gauges.find(name);
  if (it == families_->gauges.end() || !it->second->Has(labels)) return;
  it->second->Remove(&it->second->Add(labels));
}

void Registry::declare_counter_family(const std::string& name, const std::string& help) {
  std::lock_guard lock(mutex_);
  family_of(families_->counters, *registry_, prometheus::BuildCounter(), name, help);
}

void Registry::declare_gauge_family(const std::string& name, const std::string& help) {
  std::lock_guard lock(mutex_);
  family_of(families_->gauges, *registry_, prometheus::BuildGauge(), name, help);
}

void Registry::declare_histogram_family(const std::string& name, const std::string& help) {
  std::lock_guard lock(mutex_);
  family_of(families_->histograms, *registry_, prometheus::BuildHistogram(), name, help);
}

std::string Registry::serialize() const {
  const prometheus::TextSerializer serializer;
  return serializer.Serialize(registry_->Collect());
}

}  // namespace vctp::metrics
