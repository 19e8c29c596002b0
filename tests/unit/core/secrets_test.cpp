#include <catch2/catch.hpp>

#include "vctp/core/secrets.hpp"

using namespace vctp::core;

TEST_CASE("secrets: passwords in URLs and DSNs are masked", "[secrets]") {
  CHECK(mask_url_password("postgres://vctp:s3cret@db.example.com:5432/vctp?sslmode=require") ==
        "postgres://vctp:****@db.example.com:5432/vctp?sslmode=require");
  CHECK(mask_url_password("postgres://vctp@db/vctp") == "postgres://vctp@db/vctp");
  CHECK(mask_url_password("nats://a:b@n1:4222,nats://c:d@n2:4222") == "nats://a:****@n1:4222,nats://c:****@n2:4222");
  CHECK(mask_url_password("host=db user=vctp password=s3cret dbname=vctp") ==
        "host=db user=vctp password=**** dbname=vctp");
  CHECK(mask_url_password("./db.sqlite3") == "./db.sqlite3");
  CHECK(mask_secret("x") == "****");
  CHECK(mask_secret("").empty());
}
