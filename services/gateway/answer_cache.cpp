#include "answer_cache.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <string_view>

namespace vctp::gateway {

using namespace std::chrono;

namespace {

std::size_t answer_bytes(const std::string& key, const http::Response& r) {
  std::size_t n = key.size() + (r.shared_body ? r.shared_body->size() : r.body.size()) + 256;
  for (const auto& [name, value] : r.headers) n += name.size() + value.size();
  return n;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::shared_ptr<const CachedAnswer> AnswerCache::find(const std::string& key, const std::string& data_version,
                                                      steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  const auto it = slots_.find(key);
  if (it == slots_.end()) return nullptr;
  const auto& answer = *it->second.answer;
  if (answer.data_version != data_version || now - answer.built > limits_.max_age) return nullptr;
  return it->second.answer;
}

std::shared_ptr<const CachedAnswer> AnswerCache::store(const std::string& key, const std::string& data_version,
                                                       http::Response response, system_clock::time_point wall,
                                                       steady_clock::time_point now) {
  auto answer = std::make_shared<CachedAnswer>();
  answer->data_version = data_version;
  answer->etag = entity_tag(response.shared_body ? *response.shared_body : response.body);
  answer->built = now;
  const system_clock::time_point second = floor<seconds>(wall);
  const std::size_t size = answer_bytes(key, response);
  answer->bytes = size;
  if (!response.shared_body) {
    response.shared_body = std::make_shared<const std::string>(std::move(response.body));
    response.body.clear();
  }
  answer->response = std::move(response);
  std::lock_guard lock(mutex_);
  const auto it = slots_.find(key);
  if (it != slots_.end() && it->second.answer->etag == answer->etag) {
    answer->last_modified = it->second.answer->last_modified;
  } else {
    const auto previous = it != slots_.end() ? it->second.answer->last_modified : dropped_last_modified_;
    answer->last_modified = std::max(second, previous + seconds(1));
  }
  if (it != slots_.end()) erase(it);
  if (size > limits_.max_bytes) {
    dropped_last_modified_ = std::max(dropped_last_modified_, answer->last_modified);
    return answer;
  }
  evict_until_fits(size);
  order_.push_back(key);
  slots_.emplace(key, Slot{answer, std::prev(order_.end())});
  bytes_ += size;
  return answer;
}

void AnswerCache::evict_until_fits(std::size_t incoming) {
  while (!order_.empty() && bytes_ + incoming > limits_.max_bytes) erase(slots_.find(order_.front()));
}

void AnswerCache::erase(std::map<std::string, Slot>::iterator it) {
  const auto& answer = *it->second.answer;
  dropped_last_modified_ = std::max(dropped_last_modified_, answer.last_modified);
  bytes_ -= answer.bytes;
  order_.erase(it->second.order);
  slots_.erase(it);
}

std::size_t AnswerCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

std::size_t AnswerCache::size() const {
  std::lock_guard lock(mutex_);
  return slots_.size();
}

std::string entity_tag(const std::string& body) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "\"%016zx-%zx\"", std::hash<std::string>{}(body), body.size());
  return buf;
}

bool etag_matches(const std::string& if_none_match, const std::string& etag) {
  std::string_view rest = if_none_match;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    auto tag = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (tag == "*") return true;
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == etag) return true;
  }
  return false;
}

std::string http_date(system_clock::time_point t) {
  const std::time_t tt = system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::optional<system_clock::time_point> parse_http_date(const std::string& text) {
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  char weekday[4] = {};
  char month[4] = {};
  int day = 0;
  int year = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  char zone[4] = {};
  if (text.size() != 29 || std::sscanf(text.c_str(), "%3c, %2d %3c %4d %2d:%2d:%2d %3c", weekday, &day, month, &year,
                                       &hour, &minute, &second, zone) != 8) {
    return std::nullopt;
  }
  const auto m = kMonths.find(month);
  if (m == std::string_view::npos || m % 3 != 0 || std::string_view(zone) != "GMT") return std::nullopt;
  const year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(m / 3 + 1)),
                           std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  return sys_days(ymd) + hours(hour) + minutes(minute) + seconds(second);
}

http::Response conditional_answer(const http::Request& request, const CachedAnswer& answer) {
  bool not_modified = false;
  if (const auto inm = request.header("if-none-match")) {
    not_modified = etag_matches(*inm, answer.etag);
  } else if (const auto ims = request.header("if-modified-since")) {
    const auto since = parse_http_date(*ims);
    not_modified = since && answer.last_modified <= *since;
  }
  http::Response r;
  if (not_modified) {
    r.status = 304;
  } else {
    r = answer.response;
  }
  r.set_header("ETag", answer.etag);
  r.set_header("Last-Modified", http_date(answer.last_modified));
  return r;
}

}  // namespace vctp::gateway
