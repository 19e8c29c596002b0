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

TEST_CASE("secrets: a password with spaces or URL delimiters is masked whole", "[secrets]") {
  // URL form, as written and percent-encoded.
  CHECK(mask_url_password("postgres://u:p w@h/db") == "postgres://u:****@h/db");
  CHECK(mask_url_password("postgres://u:p%20w@h:5432/db") == "postgres://u:****@h:5432/db");
  CHECK(mask_url_password("postgres://u:p/w?x#y@h/db") == "postgres://u:****@h/db");
  CHECK(mask_url_password("postgres://u:p@ss@h/db") == "postgres://u:****@h/db");
  CHECK(mask_url_password("postgres://u@h/db?password=p w&sslmode=require") ==
        "postgres://u@h/db?password=****&sslmode=require");
  // key=value form: quoted (with escapes), unquoted, spaces around '=', every password key.
  CHECK(mask_url_password("host=h password='p w' dbname=db") == "host=h password=**** dbname=db");
  CHECK(mask_url_password("host=h password='it\\'s a secret' dbname=db") == "host=h password=**** dbname=db");
  CHECK(mask_url_password("host=h password=s3cret") == "host=h password=****");
  CHECK(mask_url_password("host=h password = 's p' user=u") == "host=h password = **** user=u");
  CHECK(mask_url_password("password=a sslpassword='b c'") == "password=**** sslpassword=****");
  CHECK(mask_url_password("host=h dbname=db") == "host=h dbname=db");
}

TEST_CASE("secrets: libpq key=value strings split as libpq splits them", "[secrets]") {
  const auto fields = parse_dsn_fields("host=db  user = vctp password='p \\' w' dbname=x\\ y");
  REQUIRE(fields.size() == 4);
  CHECK(fields[0].key == "host");
  CHECK(fields[0].value == "db");
  CHECK(fields[1].key == "user");
  CHECK(fields[1].value == "vctp");
  CHECK(fields[2].key == "password");
  CHECK(fields[2].value == "p ' w");
  CHECK(fields[3].value == "x y");
}
