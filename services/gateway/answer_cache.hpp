#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "vctp/http/message.hpp"

namespace vctp::gateway {

/// A serialised answer kept by AnswerCache, with its validators.
struct CachedAnswer {
  std::string data_version;  ///< the database's data_version read before the answer was built
  http::Response response;   ///< a 200 with its Content-Type; its body is shared_body
  std::size_t bytes = 0;     ///< what it counts against the cache's max_bytes
  std::string etag;          ///< strong, quoted: "<hash>-<length>"
  std::chrono::system_clock::time_point last_modified;  ///< whole seconds
  std::chrono::steady_clock::time_point built;
};

/// Serialised answers of reads that depend only on the database's content (registry listings,
/// summaries of closed periods), keyed on the request's path and query, each valid while the
/// database's data_version stays what it was before the answer was built. Bounded in memory
/// (the oldest answers go first) and in age. Plain logic: time is passed in. Thread-safe.
class AnswerCache {
 public:
  struct Limits {
    std::size_t max_bytes = 64 * 1024 * 1024;
    std::chrono::seconds max_age{300};
  };
  AnswerCache() : AnswerCache(Limits{}) {}
  explicit AnswerCache(Limits limits) : limits_(limits) {}

  /// The answer of `key` built at `data_version`, unless it is older than max_age.
  std::shared_ptr<const CachedAnswer> find(const std::string& key, const std::string& data_version,
                                           std::chrono::steady_clock::time_point now);

  /// Keeps `response` (a 200) as the answer of `key` at `data_version`, and returns it with its
  /// validators. Its Last-Modified is the current second, later than any other this key had
  /// with a different body (so If-Modified-Since never takes a changed answer for the old one),
  /// or the previous one when the body did not change. An answer larger than max_bytes is
  /// returned, not kept.
  std::shared_ptr<const CachedAnswer> store(const std::string& key, const std::string& data_version,
                                            http::Response response, std::chrono::system_clock::time_point wall,
                                            std::chrono::steady_clock::time_point now);

  std::size_t bytes() const;
  std::size_t size() const;

 private:
  struct Slot {
    std::shared_ptr<const CachedAnswer> answer;
    std::list<std::string>::iterator order;
  };
  void evict_until_fits(std::size_t incoming);
  void erase(std::map<std::string, Slot>::iterator it);

  Limits limits_;
  mutable std::mutex mutex_;
  std::map<std::string, Slot> slots_;
  std::list<std::string> order_;  ///< keys, oldest stored first
  std::size_t bytes_ = 0;
  /// The latest Last-Modified of an answer that was dropped: a later answer of the same key
  /// must be later than it.
  std::chrono::system_clock::time_point dropped_last_modified_{};
};

/// The strong entity tag of a body: "<64-bit hash>-<length>", hexadecimal, quoted.
std::string entity_tag(const std::string& body);

/// Whether an If-None-Match value names `etag` (or is "*"); weak comparison (W/ ignored).
bool etag_matches(const std::string& if_none_match, const std::string& etag);

/// An HTTP date (IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT").
std::string http_date(std::chrono::system_clock::time_point t);
/// Parses an IMF-fixdate; nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> parse_http_date(const std::string& text);

/// The answer to a GET of `answer`: 304 (no body) when the request's If-None-Match names its
/// ETag, or, without If-None-Match, when If-Modified-Since is not earlier than its
/// Last-Modified; else the 200. Either carries ETag and Last-Modified.
http::Response conditional_answer(const http::Request& request, const CachedAnswer& answer);

}  // namespace vctp::gateway
