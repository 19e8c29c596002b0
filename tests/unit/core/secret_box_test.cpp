#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "test_support.hpp"
#include "vctp/core/secret_box.hpp"
#include "vctp/core/settings.hpp"

using namespace vctp::core;
using vctp::test::TempDir;

TEST_CASE("secret box: round trip, fresh nonces, wrong key and damage refused", "[secrets]") {
  TempDir dir;
  const auto box = SecretBox::load_or_create(dir / "k.key");
  struct stat st {};
  REQUIRE(::stat((dir / "k.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  const std::string a = box.encrypt("s3cret <&> pässword");
  const std::string b = box.encrypt("s3cret <&> pässword");
  CHECK(SecretBox::is_encrypted(a));
  CHECK(a != b);
  CHECK(box.decrypt(a) == "s3cret <&> pässword");
  CHECK(box.decrypt(box.encrypt("")) == "");

  // The same key file gives the same key.
  CHECK(SecretBox::load_or_create(dir / "k.key").decrypt(a) == "s3cret <&> pässword");

  const auto other = SecretBox::load_or_create(dir / "other.key");
  CHECK_THROWS_AS(other.decrypt(a), SecretError);
  std::string damaged = a;
  damaged[10] = damaged[10] == 'A' ? 'B' : 'A';
  CHECK_THROWS_AS(box.decrypt(damaged), SecretError);
  CHECK_THROWS_AS(box.decrypt("enc:%%%"), SecretError);
  CHECK_THROWS_AS(box.decrypt("plain"), SecretError);
}

TEST_CASE("secret box: the settings file's plaintext password is encrypted in place", "[secrets]") {
  TempDir dir;
  const auto path = dir / "vctp.yml";
  const std::string before =
      "# my settings\nsettings:\n  vcenter_username: admin  # the user\n  vcenter_password: 'pa ss#word'\n"
      "  vcenter_addresses:\n    - https://vc1/sdk\n";
  vctp::test::write_file(path, before);
  ::chmod(path.c_str(), 0640);
  const auto box = SecretBox::load_or_create(dir / "k.key");

  CHECK(encrypt_password_in_file(path, box) == PasswordFileChange::kEncrypted);
  const std::string after = vctp::test::read_file(path);
  CHECK_THAT(after, !Catch::Contains("pa ss#word"));
  CHECK_THAT(after, Catch::StartsWith("# my settings\nsettings:\n  vcenter_username: admin  # the user\n  vcenter_password: \"enc:"));
  CHECK_THAT(after, Catch::EndsWith("\n  vcenter_addresses:\n    - https://vc1/sdk\n"));
  struct stat st {};
  ::stat(path.c_str(), &st);
  CHECK((st.st_mode & 0777) == 0640);

  const auto loaded = load_settings(path);
  CHECK(box.decrypt(loaded.settings.vcenter_password) == "pa ss#word");
  // A second pass changes nothing.
  CHECK(encrypt_password_in_file(path, box) == PasswordFileChange::kNone);
  CHECK(vctp::test::read_file(path) == after);
}

TEST_CASE("secret box: a read-only settings file is left alone", "[secrets]") {
  TempDir dir;
  const auto path = dir / "vctp.yml";
  vctp::test::write_file(path, "settings:\n  vcenter_password: plain\n");
  const auto box = SecretBox::load_or_create(dir / "k.key");
  ::chmod(path.c_str(), 0444);
  ::chmod(dir.path().c_str(), 0555);
  // root ignores permission bits, so only check the outcome when they bite.
  const auto change = encrypt_password_in_file(path, box);
  ::chmod(dir.path().c_str(), 0755);
  if (::geteuid() != 0) {
    CHECK(change == PasswordFileChange::kReadOnly);
    CHECK(vctp::test::read_file(path) == "settings:\n  vcenter_password: plain\n");
  } else {
    CHECK(change != PasswordFileChange::kNone);
  }
}

TEST_CASE("secret box: the key lives beside the SQLite database", "[secrets]") {
  CHECK(secret_key_path("sqlite", "/var/lib/vctp/db.sqlite3", "/etc/dtms/vctp.yml") == "/var/lib/vctp/vctp-secret.key");
  CHECK(secret_key_path("sqlite", "file:/data/x.db?mode=rwc", "/etc/dtms/vctp.yml") == "/data/vctp-secret.key");
  CHECK(secret_key_path("postgres", "postgres://db/vctp", "/etc/dtms/vctp.yml") == "/etc/dtms/vctp-secret.key");
}
