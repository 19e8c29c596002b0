#include <catch2/catch.hpp>

#include "vctp/core/glob.hpp"

using vctp::core::glob_match;

TEST_CASE("glob: shell patterns, case-insensitive", "[glob]") {
  CHECK(glob_match("lab-*", "LAB-42"));
  CHECK(glob_match("*", ""));
  CHECK(glob_match("*-placeholder", "web01-placeholder"));
  CHECK_FALSE(glob_match("*-placeholder", "web01-placeholder2"));
  CHECK(glob_match("vm-??", "vm-01"));
  CHECK_FALSE(glob_match("vm-??", "vm-001"));
  CHECK(glob_match("node[0-9]", "NODE7"));
  CHECK_FALSE(glob_match("node[!0-9]", "node7"));
  CHECK(glob_match("node[!0-9]", "nodex"));
  CHECK(glob_match("a*b*c", "aXXbYYc"));
  CHECK_FALSE(glob_match("a*b*c", "aXXbYY"));
  CHECK(glob_match("exact", "Exact"));
  CHECK_FALSE(glob_match("exact", "exactly"));
  CHECK(glob_match("[abc", "[abc"));
  CHECK(vctp::core::glob_match_any({"x", "prod-*"}, "Prod-East"));
  CHECK_FALSE(vctp::core::glob_match_any({}, "anything"));
}
