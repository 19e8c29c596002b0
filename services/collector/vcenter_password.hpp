#pragma once

#include <filesystem>
#include <string>

#include "vctp/core/settings.hpp"

namespace vctp::collector {

/// The vCenter password in clear, from (first match wins) the file named by
/// vcenter_password_file (a mounted secret), VCTP_VCENTER_PASSWORD, or vcenter_password in the
/// settings file. An `enc:` value is decrypted with the key file beside the database (or
/// VCTP_SECRET_KEY); a plaintext value read from the settings file is encrypted there, in
/// place, the key file being created only then. A settings file that is read-only or written in
/// a form that cannot be rewritten safely is left alone with a warning. Throws
/// core::SecretError or std::runtime_error with a message saying what to fix.
std::string resolve_vcenter_password(const core::Settings& settings, const std::filesystem::path& settings_path);

}  // namespace vctp::collector
