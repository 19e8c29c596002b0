#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vctp::http {

/// One HTTP request as handlers see it: decoded path, query and path parameters, lower-case
/// header names, the whole body.
struct Request {
  std::string method;  ///< "GET", "POST", ...
  std::string target;  ///< the raw request target, e.g. "/api/snapshots?kind=daily"
  std::string path;    ///< the target's path, still percent-encoded
  std::map<std::string, std::string> query;    ///< decoded query parameters (first value wins)
  std::map<std::string, std::string> headers;  ///< header names in lower case
  std::map<std::string, std::string> params;   ///< decoded {params} of the matched route
  std::string body;
  std::string remote_address;

  /// A header by (case-insensitive) name.
  std::optional<std::string> header(std::string_view name) const;
  /// A query parameter, when present.
  std::optional<std::string> query_value(const std::string& name) const;
  /// A path parameter of the matched route ("" when absent).
  std::string param(const std::string& name) const;
};

/// One HTTP response.
struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// A body shared with whoever keeps it (a cache of answers), sent instead of `body` when set:
  /// a large answer served many times is not copied for each.
  std::shared_ptr<const std::string> shared_body;

  /// A response with a body and its Content-Type.
  static Response make(int status, std::string body, std::string content_type);
  /// Sets (replaces) a header.
  void set_header(const std::string& name, const std::string& value);
  /// The value of a header, when set.
  std::optional<std::string> header(std::string_view name) const;
};

/// Decodes %XX escapes (and '+' as space when `plus_as_space`); nullopt for a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space = false);

/// Whether `text` is well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
/// What a client sends is checked with it before any of it can reach a JSON document.
bool is_valid_utf8(std::string_view text);

/// Splits "a=1&b=x%20y" into decoded pairs; malformed pairs are skipped. The first value of a
/// repeated name wins.
std::map<std::string, std::string> parse_query(std::string_view query);

/// The standard reason phrase of a status ("Not Found"), or "" for an unknown one.
std::string_view reason_phrase(int status);

}  // namespace vctp::http
