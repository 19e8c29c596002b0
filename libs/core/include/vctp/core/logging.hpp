#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace vctp::core {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError };

/// Structured fields that accompany a log message (`key=value` in text, members in JSON).
using LogFields = std::initializer_list<std::pair<std::string_view, std::string>>;

/// Sets up the process-wide log sink on stderr: `output` is "text" (human) or "json" (one JSON
/// object a line: time, level, service, message and fields). Call once, first thing in main.
void init_logging(std::string_view service, std::string_view level, std::string_view output);

/// Parses "trace".."error" (also "warning"); returns kInfo for anything else.
LogLevel parse_log_level(std::string_view level);

void log(LogLevel level, std::string_view message, LogFields fields = {});
inline void log_debug(std::string_view m, LogFields f = {}) { log(LogLevel::kDebug, m, f); }
inline void log_info(std::string_view m, LogFields f = {}) { log(LogLevel::kInfo, m, f); }
inline void log_warn(std::string_view m, LogFields f = {}) { log(LogLevel::kWarn, m, f); }
inline void log_error(std::string_view m, LogFields f = {}) { log(LogLevel::kError, m, f); }

/// Formats one line as init_logging would, without writing it (used by tests).
std::string format_log_line(std::string_view service, std::string_view output, LogLevel level,
                            std::string_view message, LogFields fields);

}  // namespace vctp::core
