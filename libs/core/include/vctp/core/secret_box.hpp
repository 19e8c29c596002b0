#pragma once

#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vctp::core {

/// A secret that cannot be encrypted or decrypted (wrong key, damaged value, unreadable key).
class SecretError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// AES-256-GCM under one 32-byte key: values are "enc:" + base64(nonce | ciphertext | tag).
class SecretBox {
 public:
  /// The key from VCTP_SECRET_KEY (64 hex digits or base64 of 32 bytes) when set, else from
  /// `key_file`, which is created with mode 0600 and a random key when absent.
  static SecretBox load_or_create(const std::filesystem::path& key_file);

  /// The key from VCTP_SECRET_KEY when set, else from `key_file`; throws SecretError when
  /// neither is there (decrypting under a new random key could only fail).
  static SecretBox load(const std::filesystem::path& key_file);

  /// A box over a raw 32-byte key.
  explicit SecretBox(std::string key);

  std::string encrypt(std::string_view plaintext) const;
  /// Decrypts an "enc:" value; throws SecretError when it is damaged or under another key.
  std::string decrypt(std::string_view value) const;

  static bool is_encrypted(std::string_view value) { return value.rfind("enc:", 0) == 0; }

 private:
  std::string key_;
};

/// What happened to the settings file's plaintext password.
enum class PasswordFileChange {
  kNone,       ///< no plaintext vcenter_password in the file
  kEncrypted,  ///< replaced by its encrypted value
  kReadOnly,   ///< the file is read-only (no write bit, a read-only mount) or its directory is: left alone
  kUnsupported,  ///< written in a form this rewrite does not handle (flow style, block scalar, anchor,
                 ///< a value over several lines, the key twice): left alone
};

/// Replaces a plaintext `vcenter_password` under `settings:` in the settings file at `path`
/// (a symlink is followed) by its encrypted value, in place: only the value changes, a
/// trailing comment and every other byte stay as they were; the new file is written beside it
/// and renamed, keeping the mode and, where permitted, the owner. `open_box` is called only
/// when the file is about to be rewritten, so a key is not created for nothing.
PasswordFileChange encrypt_password_in_file(const std::filesystem::path& path,
                                            const std::function<SecretBox()>& open_box);
PasswordFileChange encrypt_password_in_file(const std::filesystem::path& path, const SecretBox& box);

/// Where the collector keeps its key: beside the SQLite database, else beside the settings file.
std::filesystem::path secret_key_path(const std::string& database_driver, const std::string& database_url,
                                      const std::filesystem::path& settings_path);

}  // namespace vctp::core
