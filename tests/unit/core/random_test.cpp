#include <catch2/catch.hpp>

#include <regex>
#include <set>
#include <thread>
#include <vector>

#include "vctp/core/random.hpp"

using namespace vctp;

TEST_CASE("random: a seeded source gives the same numbers for the same seed", "[core]") {
  core::SeededRandom a(42);
  core::SeededRandom b(42);
  core::SeededRandom c(43);
  std::vector<std::uint64_t> from_a, from_b, from_c;
  for (int i = 0; i < 100; ++i) {
    from_a.push_back(a.next());
    from_b.push_back(b.next());
    from_c.push_back(c.next());
  }
  CHECK(from_a == from_b);
  CHECK(from_a != from_c);
  CHECK(std::set<std::uint64_t>(from_a.begin(), from_a.end()).size() == from_a.size());
}

TEST_CASE("random: uniform stays within its bounds and reaches both ends", "[core]") {
  core::SeededRandom r(7);
  bool saw_low = false;
  bool saw_high = false;
  for (int i = 0; i < 2000; ++i) {
    const auto v = r.uniform(-3, 3);
    REQUIRE(v >= -3);
    REQUIRE(v <= 3);
    saw_low = saw_low || v == -3;
    saw_high = saw_high || v == 3;
  }
  CHECK(saw_low);
  CHECK(saw_high);
  CHECK(r.uniform(5, 5) == 5);
}

TEST_CASE("random: uuids are version 4, variant 1, lower-case and distinct", "[core]") {
  const std::regex shape("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const auto id = core::system_random().uuid();
    INFO(id);
    CHECK(std::regex_match(id, shape));
    seen.insert(id);
  }
  CHECK(seen.size() == 200);
  core::SeededRandom a(1), b(1);
  CHECK(a.uuid() == b.uuid());
}

TEST_CASE("random: one seeded source shared by threads gives each number once", "[core]") {
  core::SeededRandom shared(99);
  std::vector<std::vector<std::uint64_t>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& out : per_thread) {
    threads.emplace_back([&shared, &out] {
      for (int i = 0; i < 1000; ++i) out.push_back(shared.next());
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::uint64_t> all;
  for (const auto& out : per_thread) all.insert(out.begin(), out.end());
  CHECK(all.size() == 4000);
}
