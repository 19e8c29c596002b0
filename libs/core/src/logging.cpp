#include "vctp/core/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "vctp/core/time_format.hpp"

namespace vctp::core {
namespace {

struct LogState {
  std::string service = "vctp";
  bool json = false;
  std::shared_ptr<spdlog::logger> logger;
};

LogState& state() {
  static LogState s;
  return s;
}

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return spdlog::level::trace;
    case LogLevel::kDebug: return spdlog::level::debug;
    case LogLevel::kInfo: return spdlog::level::info;
    case LogLevel::kWarn: return spdlog::level::warn;
    case LogLevel::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return "trace";
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

std::string now_text() {
  const auto now = std::chrono::system_clock::now();
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::string text = format_iso8601(now);
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03lldZ", static_cast<long long>(millis));
  text.replace(text.size() - 1, 1, frac);
  return text;
}

bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

/// Appends `c` as a visible escape (\r, \n, \t, \xHH) when it is a C0 control or DEL, so
/// nothing taken from a request can move the cursor, erase a line or start a forged one.
void append_escaped(std::string& out, char c) {
  if (!is_control(c)) {
    out += c;
    return;
  }
  switch (c) {
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default: break;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  const auto u = static_cast<unsigned char>(c);
  out += "\\x";
  out += kHex[u >> 4];
  out += kHex[u & 0xf];
}

std::string escape_controls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) append_escaped(out, c);
  return out;
}

bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || is_control(c)) return true;
  }
  return false;
}

/// A text-log value: as is when plain, else in double quotes with `"` and `\` escaped as well.
std::string text_value(std::string_view v) {
  if (!needs_quotes(v)) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    append_escaped(out, c);
  }
  out += '"';
  return out;
}

}  // namespace

LogLevel parse_log_level(std::string_view level) {
  if (level == "trace") return LogLevel::kTrace;
  if (level == "debug") return LogLevel::kDebug;
  if (level == "warn" || level == "warning") return LogLevel::kWarn;
  if (level == "error") return LogLevel::kError;
  return LogLevel::kInfo;
}

std::string format_log_line(std::string_view service, std::string_view output, LogLevel level,
                            std::string_view message, LogFields fields) {
  if (output == "json") {
    nlohmann::json line;
    line["time"] = now_text();
    line["level"] = level_name(level);
    line["service"] = service;
    line["message"] = message;
    for (const auto& [k, v] : fields) line[std::string(k)] = v;
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string text = now_text() + " " + level_name(level) + " [" + escape_controls(service) + "] " +
                     escape_controls(message);
  for (const auto& [k, v] : fields) {
    text += " " + escape_controls(k) + "=";
    text += text_value(v);
  }
  return text;
}

void init_logging(std::string_view service, std::string_view level, std::string_view output) {
  auto& s = state();
  s.service = service;
  s.json = output == "json";
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  s.logger = std::make_shared<spdlog::logger>(std::string(service), sink);
  s.logger->set_pattern("%v");
  s.logger->set_level(to_spdlog(parse_log_level(level)));
  s.logger->flush_on(spdlog::level::trace);
}

void log(LogLevel level, std::string_view message, LogFields fields) {
  auto& s = state();
  if (!s.logger) init_logging(s.service, "info", "text");
  if (!s.logger->should_log(to_spdlog(level))) return;
  s.logger->log(to_spdlog(level), "{}", format_log_line(s.service, s.json ? "json" : "text", level, message, fields));
}

}  // namespace vctp::core
