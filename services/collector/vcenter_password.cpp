#include "vcenter_password.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "vctp/core/logging.hpp"
#include "vctp/core/secret_box.hpp"

namespace vctp::collector {

std::string resolve_vcenter_password(const core::Settings& settings, const std::filesystem::path& settings_path) {
  if (!settings.vcenter_password_file.empty()) {
    std::ifstream in(settings.vcenter_password_file);
    if (!in) {
      throw std::runtime_error("vcenter_password_file: cannot read " + settings.vcenter_password_file);
    }
    std::stringstream text;
    text << in.rdbuf();
    std::string password = text.str();
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
    return password;
  }
  const std::string& value = settings.vcenter_password;
  if (value.empty()) return value;
  const auto key_path = core::secret_key_path(settings.database_driver, settings.database_url, settings_path);

  if (core::SecretBox::is_encrypted(value)) {
    const auto fix = " (key " + key_path.string() +
                     "; set VCTP_SECRET_KEY or restore the key file, or write the password in plaintext again "
                     "to have it re-encrypted)";
    try {
      return core::SecretBox::load(key_path).decrypt(value);
    } catch (const core::SecretError& e) {
      throw core::SecretError(std::string("vcenter_password: ") + e.what() + fix);
    }
  }
  // A plaintext password from VCTP_VCENTER_PASSWORD is not the file's to encrypt.
  if (std::getenv("VCTP_VCENTER_PASSWORD") != nullptr) return value;

  const auto open_box = [&key_path] { return core::SecretBox::load_or_create(key_path); };
  switch (core::encrypt_password_in_file(settings_path, open_box)) {
    case core::PasswordFileChange::kEncrypted:
      core::log_info("encrypted the plaintext vcenter_password in the settings file",
                     {{"settings", settings_path.string()}, {"key", key_path.string()}});
      break;
    case core::PasswordFileChange::kReadOnly:
      core::log_warn("vcenter_password is in plaintext and the settings file is read-only: it stays in plaintext",
                     {{"settings", settings_path.string()}});
      break;
    case core::PasswordFileChange::kUnsupported:
      core::log_warn("vcenter_password is in plaintext and written in a form that cannot be rewritten safely "
                     "(flow style, block scalar, anchor or several lines): it stays in plaintext; write it as "
                     "'vcenter_password: value' on one line under settings: to have it encrypted",
                     {{"settings", settings_path.string()}});
      break;
    case core::PasswordFileChange::kNone:
      break;
  }
  return value;
}

}  // namespace vctp::collector
