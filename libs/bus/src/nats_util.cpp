#include "nats_util.hpp"

#include <cstdlib>
#include <optional>
#include <string>

namespace vctp::bus {

std::optional<std::string> Message::header(const std::string& name) const {
  auto it = headers.find(name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

namespace detail {

std::string describe_status(natsStatus status, jsErrCode js_error) {
  std::string text = natsStatus_GetText(status);
  if (js_error != 0) text += " (JetStream error " + std::to_string(static_cast<int>(js_error)) + ")";
  natsStatus last = NATS_OK;
  const char* last_text = nats_GetLastError(&last);
  if (last_text != nullptr && *last_text != '\0' && last == status) {
    std::string detail = last_text;
    if (detail != text) text += ": " + detail;
  }
  return text;
}

bool is_transient(natsStatus status, jsErrCode js_error) {
  switch (static_cast<int>(js_error)) {
    case JSClusterNotAvailErr:
    case JSClusterNotLeaderErr:
    case JSClusterIncompleteErr:
    case JSNotEnabledErr:
    case JSInsufficientResourcesErr:
      return true;
    default:
      break;
  }
  switch (status) {
    case NATS_TIMEOUT:
    case NATS_NO_RESPONDERS:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_NOT_YET_CONNECTED:
    case NATS_IO_ERROR:
    case NATS_STALE_CONNECTION:
    case NATS_NO_SERVER:
    case NATS_SLOW_CONSUMER:
      return true;
    default:
      return false;
  }
}

Message to_message(natsMsg* msg) {
  Message out;
  if (const char* s = natsMsg_GetSubject(msg)) out.subject = s;
  if (const char* r = natsMsg_GetReply(msg)) out.reply = r;
  if (const char* d = natsMsg_GetData(msg)) out.data.assign(d, static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
  const char** keys = nullptr;
  int count = 0;
  if (natsMsgHeader_Keys(msg, &keys, &count) == NATS_OK && keys != nullptr) {
    for (int i = 0; i < count; ++i) {
      const char* value = nullptr;
      if (natsMsgHeader_Get(msg, keys[i], &value) == NATS_OK && value != nullptr) out.headers[keys[i]] = value;
    }
    std::free(static_cast<void*>(keys));
  }
  jsMsgMetaData* meta = nullptr;
  if (out.reply.rfind("$JS.ACK.", 0) == 0 && natsMsg_GetMetaData(&meta, msg) == NATS_OK && meta != nullptr) {
    MetaDataPtr owned(meta, &jsMsgMetaData_Destroy);
    out.stream_sequence = meta->Sequence.Stream;
    out.num_delivered = meta->NumDelivered;
  }
  return out;
}

MsgPtr make_message(std::string_view subject, std::string_view payload,
                    const std::map<std::string, std::string>& headers) {
  const std::string subj(subject);
  natsMsg* raw = nullptr;
  check(natsMsg_Create(&raw, subj.c_str(), nullptr, payload.data(), static_cast<int>(payload.size())),
        "create a message for " + subj);
  MsgPtr msg(raw, &natsMsg_Destroy);
  for (const auto& [key, value] : headers) {
    check(natsMsgHeader_Set(msg.get(), key.c_str(), value.c_str()), "set header " + key);
  }
  return msg;
}

void check(natsStatus status, std::string_view what, jsErrCode js_error) {
  if (status == NATS_OK) return;
  throw BusError("NATS: cannot " + std::string(what) + ": " + describe_status(status, js_error),
                 is_transient(status, js_error));
}

std::string excerpt(std::string_view data, std::size_t max) {
  std::string out;
  const std::size_t n = data.size() < max ? data.size() : max;
  out.reserve(n + 3);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(data[i]);
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (data.size() > max) out += "...";
  return out;
}

}  // namespace detail
}  // namespace vctp::bus
