#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

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

TEST_CASE("secret box: only the value is replaced, a trailing comment stays", "[secrets]") {
  TempDir dir;
  const auto path = dir / "vctp.yml";
  const auto box = SecretBox::load_or_create(dir / "k.key");
  struct Case {
    const char* name;
    std::string line;      // the vcenter_password line(s) as written
    std::string password;  // what it holds
    std::string tail;      // what must follow the encrypted value on its line
  };
  const std::vector<Case> cases = {
      {"plain", "  vcenter_password: pa#ss   # the vCenter one\n", "pa#ss", "\"   # the vCenter one\n"},
      {"single quoted", "  vcenter_password: 'it''s # no comment'\t# comment\n", "it's # no comment",
       "\"\t# comment\n"},
      {"double quoted", "  vcenter_password: \"q\\\"uote\" #c\n", "q\"uote", "\" #c\n"},
      {"on the next line", "  vcenter_password:\n    nextline # after\n", "nextline", "\" # after\n"},
      {"no comment", "  vcenter_password: bare\n", "bare", "\"\n"},
      {"CRLF", "  vcenter_password: crlf # c\r\n", "crlf", "\" # c\r\n"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const std::string head = "settings:\n  vcenter_username: admin # me\n";
    const std::string rest = "  vcenter_insecure: true\n";
    vctp::test::write_file(path, head + c.line + rest);
    REQUIRE(load_settings(path).settings.vcenter_password == c.password);
    REQUIRE(encrypt_password_in_file(path, box) == PasswordFileChange::kEncrypted);
    const std::string after = vctp::test::read_file(path);
    INFO(after);
    const std::string key_part = c.line.substr(0, c.line.find(':') + 1);
    CHECK_THAT(after, Catch::StartsWith(head + key_part));
    CHECK_THAT(after, Catch::EndsWith(c.tail + rest));
    CHECK_THAT(after, !Catch::Contains(c.password));
    const auto loaded = load_settings(path);
    CHECK(box.decrypt(loaded.settings.vcenter_password) == c.password);
    CHECK(loaded.settings.vcenter_username == "admin");
    CHECK(loaded.settings.vcenter_insecure);
  }
}

TEST_CASE("secret box: a password the one-value rewrite cannot handle is left alone", "[secrets]") {
  TempDir dir;
  const auto path = dir / "vctp.yml";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"flow map", "settings: {vcenter_username: admin, vcenter_password: pass}\n"},
      {"flow map below the key", "settings:\n  {vcenter_password: pass}\n"},
      {"flow root", "{settings: {vcenter_password: pass}}\n"},
      {"literal block", "settings:\n  vcenter_password: |\n    pass\n"},
      {"folded block", "settings:\n  vcenter_password: >-\n    pass\n"},
      {"plain over two lines", "settings:\n  vcenter_password: pa\n    ss\n  vcenter_username: admin\n"},
      {"quoted over two lines", "settings:\n  vcenter_password: \"pa\n    ss\"\n"},
      {"anchor", "settings:\n  vcenter_password: &pw pass\n  vcenter_username: *pw\n"},
      {"tag", "settings:\n  vcenter_password: !!str pass\n"},
      {"twice", "settings:\n  vcenter_password: one\n  vcenter_password: two\n"},
  };
  int opened = 0;
  const auto open_box = [&] {
    ++opened;
    return SecretBox::load_or_create(dir / "k.key");
  };
  for (const auto& [name, text] : cases) {
    INFO(name);
    vctp::test::write_file(path, text);
    CHECK(encrypt_password_in_file(path, open_box) == PasswordFileChange::kUnsupported);
    CHECK(vctp::test::read_file(path) == text);
  }
  CHECK(opened == 0);
  CHECK_FALSE(std::filesystem::exists(dir / "k.key"));
  CHECK_FALSE(std::filesystem::exists(dir / "vctp.yml.vctp-tmp"));

  // Nothing to encrypt: no password, an empty one, an encrypted one.
  for (const std::string text : {"settings:\n  vcenter_username: admin\n", "settings:\n  vcenter_password: ''\n",
                                 "settings:\n  vcenter_password: \"enc:AAAA\"\n"}) {
    vctp::test::write_file(path, text);
    CHECK(encrypt_password_in_file(path, open_box) == PasswordFileChange::kNone);
    CHECK(vctp::test::read_file(path) == text);
  }
  CHECK(opened == 0);
}

TEST_CASE("secret box: a settings file without write permission is left alone, even for root", "[secrets]") {
  TempDir dir;
  const auto path = dir / "vctp.yml";
  const std::string text = "settings:\n  vcenter_password: plain\n";
  vctp::test::write_file(path, text);
  REQUIRE(::chmod(path.c_str(), 0444) == 0);
  bool opened = false;
  const auto change = encrypt_password_in_file(path, [&] {
    opened = true;
    return SecretBox::load_or_create(dir / "k.key");
  });
  CHECK(change == PasswordFileChange::kReadOnly);
  CHECK(vctp::test::read_file(path) == text);
  CHECK_FALSE(opened);
  CHECK_FALSE(std::filesystem::exists(dir / "k.key"));
}

TEST_CASE("secret box: a symlinked settings file is rewritten where it lives, owner kept", "[secrets]") {
  TempDir dir;
  std::filesystem::create_directories(dir / "real");
  const auto target = dir / "real" / "vctp.yml";
  const auto link = dir / "vctp.yml";
  vctp::test::write_file(target, "settings:\n  vcenter_password: plain\n");
  std::filesystem::create_symlink(target, link);
  const bool root = ::geteuid() == 0;
  if (root) REQUIRE(::chown(target.c_str(), 4321, 4322) == 0);
  const auto box = SecretBox::load_or_create(dir / "k.key");

  CHECK(encrypt_password_in_file(link, box) == PasswordFileChange::kEncrypted);
  CHECK(std::filesystem::is_symlink(link));
  CHECK(box.decrypt(load_settings(target).settings.vcenter_password) == "plain");
  struct stat st {};
  REQUIRE(::stat(target.c_str(), &st) == 0);
  if (root) {
    CHECK(st.st_uid == 4321);
    CHECK(st.st_gid == 4322);
  }
}

TEST_CASE("secret box: load never creates a key", "[secrets]") {
  TempDir dir;
  CHECK_THROWS_AS(SecretBox::load(dir / "missing.key"), SecretError);
  CHECK_FALSE(std::filesystem::exists(dir / "missing.key"));
  const auto created = SecretBox::load_or_create(dir / "k.key");
  CHECK(SecretBox::load(dir / "k.key").decrypt(created.encrypt("x")) == "x");
}

TEST_CASE("secret box: the key lives beside the SQLite database", "[secrets]") {
  CHECK(secret_key_path("sqlite", "/var/lib/vctp/db.sqlite3", "/etc/dtms/vctp.yml") == "/var/lib/vctp/vctp-secret.key");
  CHECK(secret_key_path("sqlite", "file:/data/x.db?mode=rwc", "/etc/dtms/vctp.yml") == "/data/vctp-secret.key");
  CHECK(secret_key_path("postgres", "postgres://db/vctp", "/etc/dtms/vctp.yml") == "/etc/dtms/vctp-secret.key");
}
