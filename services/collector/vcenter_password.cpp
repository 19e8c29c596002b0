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
  const bool from_environment = std::getenv("VCTP_VCENTER_PASSWORD") != nullptr;
  if (value.empty()) return value;
  if (!core::SecretBox::is_encrypted(value) && from_environment) return value;

  const auto key_path = core::secret_key_path(settings.database_driver, settings.database_url, settings_path);
  const auto box = core::SecretBox::load_or_create(key_path);
  if (core::SecretBox::is_encrypted(value)) {
    try {
      return box.decrypt(value);
    } catch (const core::SecretError& e) {
      throw core::SecretError(std::string("vcenter_password: ") + e.what() + " (key " + key_path.string() +
                              "; set VCTP_SECRET_KEY or restore the key file, or write the password in "
                              "plaintext again to have it re-encrypted)");
    }
  }
  switch (core::encrypt_password_in_file(settings_path, box)) {
    case core::PasswordFileChange::kEncrypted:
      core::log_info("encrypted the plaintext vcenter_password in the settings file",
                     {{"settings", settings_path.string()}, {"key", key_path.string()}});
      break;
    case core::PasswordFileChange::kReadOnly:
      core::log_warn("vcenter_password is in plaintext and the settings file is read-only: it stays in plaintext",
                     {{"settings", settings_path.string()}});
      break;
    case core::PasswordFileChange::kNone:
      break;
  }
  return value;
}

}  // namespace vctp::collector
