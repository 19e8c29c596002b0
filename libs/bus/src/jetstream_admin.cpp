#include <string>
#include <vector>

#include "connection_impl.hpp"
#include "nats_util.hpp"
#include "retry.hpp"
#include "vctp/bus/connection.hpp"
#include "vctp/core/logging.hpp"
#include "vctp/core/settings.hpp"

namespace vctp::bus {

using detail::Attempt;
using detail::check;
using detail::describe_status;
using detail::is_transient;
using detail::kNoJsError;

namespace {

/// The cnats configuration of `config`. It points into `config` and `subjects`, which must
/// outlive it.
jsStreamConfig to_js_config(const StreamConfig& config, std::vector<const char*>& subjects) {
  subjects.clear();
  for (const auto& s : config.subjects) subjects.push_back(s.c_str());
  jsStreamConfig cfg;
  check(jsStreamConfig_Init(&cfg), "initialise a stream configuration");
  cfg.Name = config.name.c_str();
  cfg.Subjects = subjects.data();
  cfg.SubjectsLen = static_cast<int>(subjects.size());
  cfg.Storage = config.file_storage ? js_FileStorage : js_MemoryStorage;
  cfg.Retention = js_LimitsPolicy;
  cfg.Discard = js_DiscardOld;
  cfg.MaxAge = std::chrono::duration_cast<std::chrono::nanoseconds>(config.max_age).count();
  cfg.Duplicates = std::chrono::duration_cast<std::chrono::nanoseconds>(config.duplicate_window).count();
  cfg.Replicas = config.replicas;
  return cfg;
}

/// The cnats configuration of `config`. It points into `config` and `backoff`, which must
/// outlive it.
jsConsumerConfig to_js_config(const ConsumerConfig& config, std::vector<int64_t>& backoff) {
  backoff.clear();
  for (auto d : config.backoff) backoff.push_back(detail::to_nanos(d));
  jsConsumerConfig cc;
  check(jsConsumerConfig_Init(&cc), "initialise a consumer configuration");
  cc.Durable = config.durable.c_str();
  cc.AckPolicy = js_AckExplicit;
  cc.DeliverPolicy = js_DeliverAll;
  cc.FilterSubject = config.filter_subject.empty() ? nullptr : config.filter_subject.c_str();
  cc.AckWait = detail::to_nanos(config.ack_wait);
  cc.MaxDeliver = config.max_deliver;
  cc.BackOff = backoff.empty() ? nullptr : backoff.data();
  cc.BackOffLen = static_cast<int>(backoff.size());
  cc.MaxAckPending = config.max_ack_pending;
  return cc;
}

/// Creates the stream, or updates it when a stream of that name exists. Returns the status of the
/// last call, with its JetStream error in `err`; `updated` tells whether that call was the update.
natsStatus put_stream(jsCtx* js, jsStreamConfig& cfg, jsErrCode& err, bool& updated) {
  jsStreamInfo* raw = nullptr;
  err = kNoJsError;
  updated = false;
  natsStatus s = js_AddStream(&raw, js, &cfg, nullptr, &err);
  detail::StreamInfoPtr added(raw, &jsStreamInfo_Destroy);
  if (s == NATS_OK || err != JSStreamNameExistErr) return s;
  raw = nullptr;
  err = kNoJsError;
  updated = true;
  s = js_UpdateStream(&raw, js, &cfg, nullptr, &err);
  detail::StreamInfoPtr changed(raw, &jsStreamInfo_Destroy);
  return s;
}

/// One attempt at creating the durable consumer, or updating it when it exists with another
/// configuration. On failure, `why` says what went wrong.
Attempt put_consumer(jsCtx* js, const ConsumerConfig& config, jsConsumerConfig& cc, std::string& why) {
  jsConsumerInfo* raw = nullptr;
  jsErrCode err = kNoJsError;
  natsStatus s = js_AddConsumer(&raw, js, config.stream.c_str(), &cc, nullptr, &err);
  detail::ConsumerInfoPtr added(raw, &jsConsumerInfo_Destroy);
  if (s == NATS_OK) {
    core::log_info("JetStream consumer ready", {{"stream", config.stream}, {"consumer", config.durable}});
    return Attempt::kDone;
  }
  why = describe_status(s, err);
  if (err != 0 && !is_transient(s, err)) {
    // It exists with another configuration: bring it up to date.
    raw = nullptr;
    jsErrCode update_err = kNoJsError;
    natsStatus us = js_UpdateConsumer(&raw, js, config.stream.c_str(), &cc, nullptr, &update_err);
    detail::ConsumerInfoPtr changed(raw, &jsConsumerInfo_Destroy);
    if (us == NATS_OK) {
      core::log_info("JetStream consumer updated", {{"stream", config.stream}, {"consumer", config.durable}});
      return Attempt::kDone;
    }
    why += "; update: " + describe_status(us, update_err);
  }
  return detail::failure(s, err);
}

}  // namespace

std::string durable_name(std::string_view service, std::string_view subject) {
  std::string name(service);
  name += '-';
  name += subject;
  for (char& c : name) {
    if (c == '.' || c == '*' || c == '>' || c == ' ') c = '-';
  }
  return name;
}

StreamConfig stream_config(const core::Settings& settings) {
  StreamConfig config;
  config.replicas = static_cast<int>(settings.nats_stream_replicas);
  return config;
}

void Connection::remember_stream(const StreamConfig& config) {
  std::lock_guard lock(impl_->mutex);
  impl_->ensured_stream = config;
}

bool Connection::restore_stream() {
  std::optional<StreamConfig> config;
  {
    std::lock_guard lock(impl_->mutex);
    config = impl_->ensured_stream;
  }
  if (!config || !connected()) return false;
  jsStreamInfo* raw = nullptr;
  jsErrCode err = kNoJsError;
  natsStatus s = js_GetStreamInfo(&raw, impl_->js.get(), config->name.c_str(), nullptr, &err);
  detail::StreamInfoPtr info(raw, &jsStreamInfo_Destroy);
  if (s == NATS_OK) return false;
  if (s != NATS_NOT_FOUND && err != JSStreamNotFoundErr) return false;
  core::log_warn("JetStream stream has disappeared; creating it again", {{"stream", config->name}});
  try {
    ensure_stream(*config, std::chrono::milliseconds(0));
    return true;
  } catch (const BusError& e) {
    core::log_warn("cannot create the stream again", {{"stream", config->name}, {"error", e.what()}});
    return false;
  }
}

void Connection::ensure_stream(const StreamConfig& config, std::chrono::milliseconds retry_for) {
  std::vector<const char*> subjects;
  jsStreamConfig cfg = to_js_config(config, subjects);
  natsStatus s = NATS_OK;
  jsErrCode err = kNoJsError;
  const Attempt result = detail::retry_transient(retry_for, [&] {
    bool updated = false;
    s = put_stream(impl_->js.get(), cfg, err, updated);
    if (s != NATS_OK) return detail::failure(s, err);
    remember_stream(config);
    core::log_info(updated ? "JetStream stream updated" : "JetStream stream ready", {{"stream", config.name}});
    return Attempt::kDone;
  });
  if (result == Attempt::kDone) return;
  throw BusError("NATS: cannot create or update stream " + config.name + ": " + describe_status(s, err),
                 result == Attempt::kTransient);
}

void Connection::ensure_consumer(const ConsumerConfig& config, std::chrono::milliseconds retry_for) {
  if (config.durable.empty() || config.durable.find('.') != std::string::npos) {
    throw BusError("NATS: durable consumer name '" + config.durable + "' must be non-empty and have no dots", false);
  }
  std::vector<int64_t> backoff;
  jsConsumerConfig cc = to_js_config(config, backoff);
  std::string why;
  const Attempt result =
      detail::retry_transient(retry_for, [&] { return put_consumer(impl_->js.get(), config, cc, why); });
  if (result == Attempt::kDone) return;
  throw BusError(
      "NATS: cannot create or update consumer " + config.durable + " on stream " + config.stream + ": " + why,
      result == Attempt::kTransient);
}

ConsumerState Connection::consumer_state(const std::string& stream, const std::string& durable) {
  jsConsumerInfo* raw = nullptr;
  jsErrCode err = kNoJsError;
  check(js_GetConsumerInfo(&raw, impl_->js.get(), stream.c_str(), durable.c_str(), nullptr, &err),
        "get consumer " + durable, err);
  detail::ConsumerInfoPtr ci(raw, &jsConsumerInfo_Destroy);
  ConsumerState state;
  state.num_pending = ci->NumPending;
  state.num_ack_pending = ci->NumAckPending;
  state.num_redelivered = ci->NumRedelivered;
  state.delivered_stream_seq = ci->Delivered.Stream;
  state.ack_floor_stream_seq = ci->AckFloor.Stream;
  return state;
}

StreamState Connection::stream_state(const std::string& stream) {
  jsStreamInfo* raw = nullptr;
  jsErrCode err = kNoJsError;
  check(js_GetStreamInfo(&raw, impl_->js.get(), stream.c_str(), nullptr, &err), "get stream " + stream, err);
  detail::StreamInfoPtr si(raw, &jsStreamInfo_Destroy);
  return StreamState{si->State.Msgs, si->State.FirstSeq, si->State.LastSeq};
}

void Connection::delete_stream(const std::string& stream) {
  jsErrCode err = kNoJsError;
  natsStatus s = js_DeleteStream(impl_->js.get(), stream.c_str(), nullptr, &err);
  if (s == NATS_NOT_FOUND || err == JSStreamNotFoundErr) return;
  check(s, "delete stream " + stream, err);
}

}  // namespace vctp::bus
