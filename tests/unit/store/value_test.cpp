#include <catch2/catch.hpp>

#include "vctp/core/time_format.hpp"
#include "vctp/store/errors.hpp"
#include "vctp/store/value.hpp"

using namespace vctp;

TEST_CASE("values convert to the types readers ask for") {
  CHECK(store::as_int(store::Value{std::int64_t{42}}) == 42);
  CHECK(store::as_int(store::Value{std::string("17")}) == 17);
  CHECK(store::as_double(store::Value{std::int64_t{3}}) == 3.0);
  CHECK(store::as_double(store::Value{2.5}) == 2.5);
  CHECK(store::as_text(store::Value{std::int64_t{7}}) == "7");
  CHECK(store::as_bool(store::Value{std::int64_t{1}}));
  CHECK_FALSE(store::as_bool(store::Value{std::string("f")}));
  CHECK(store::is_null(store::null_value()));
  CHECK_THROWS_AS(store::as_int(store::null_value()), store::StoreError);
  CHECK_THROWS_AS(store::as_int(store::Value{std::string("x1")}), store::StoreError);
  CHECK_THROWS_AS(store::as_bool(store::Value{std::string("maybe")}), store::StoreError);
}

TEST_CASE("times read the same from either backend's text") {
  const auto t = *core::parse_iso8601("2026-11-24T13:00:00Z");
  CHECK(store::as_time(store::time_value(t)) == t);
  CHECK(store::as_time(store::Value{std::string("2026-11-24 13:00:00+00")}) == t);
  CHECK(store::as_time(store::Value{std::string("2026-11-24T13:00:00Z")}) == t);
  CHECK(store::as_time(store::Value{std::string("2026-11-24 13:00:00")}) == t);
  CHECK_THROWS_AS(store::as_time(store::Value{std::string("yesterday")}), store::StoreError);
  CHECK_THROWS_AS(store::as_time(store::null_value()), store::StoreError);
}

TEST_CASE("rows give columns by position and by name") {
  auto columns = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"a", "b"});
  const store::Row row(columns, {std::int64_t{1}, store::null_value()});
  CHECK(row.get_int(0) == 1);
  CHECK(row.get_int("a") == 1);
  CHECK(row.is_null("b"));
  CHECK_FALSE(row.get_opt_text("b").has_value());
  CHECK_THROWS_AS(row.at("c"), store::StoreError);
  CHECK_THROWS_AS(row.at(5), store::StoreError);
}
