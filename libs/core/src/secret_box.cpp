#include "vctp/core/secret_box.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

namespace vctp::core {
namespace {

constexpr std::size_t kKeySize = 32;
constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext new_context() {
  CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx) throw SecretError("OpenSSL could not allocate a cipher context");
  return ctx;
}

std::string base64_encode(const std::string& raw) {
  std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string base64_decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) throw SecretError("not valid base64");
  std::string out(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) throw SecretError("not valid base64");
  std::size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

std::string decode_key_text(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  if (text.size() == 2 * kKeySize && text.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos) {
    std::string raw;
    for (std::size_t i = 0; i < text.size(); i += 2) {
      raw.push_back(static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16)));
    }
    return raw;
  }
  std::string raw = base64_decode(text);
  if (raw.size() != kKeySize) throw SecretError("a secret key must be 32 bytes (64 hex digits or base64)");
  return raw;
}

}  // namespace

SecretBox::SecretBox(std::string key) : key_(std::move(key)) {
  if (key_.size() != kKeySize) throw SecretError("a secret key must be 32 bytes");
}

SecretBox SecretBox::load_or_create(const std::filesystem::path& key_file) {
  if (const char* env = std::getenv("VCTP_SECRET_KEY"); env && *env) {
    try {
      return SecretBox(decode_key_text(env));
    } catch (const SecretError& e) {
      throw SecretError(std::string("VCTP_SECRET_KEY: ") + e.what());
    }
  }
  if (std::filesystem::exists(key_file)) {
    std::ifstream in(key_file);
    if (!in) throw SecretError(key_file.string() + ": cannot read the secret key");
    std::stringstream text;
    text << in.rdbuf();
    try {
      return SecretBox(decode_key_text(text.str()));
    } catch (const SecretError& e) {
      throw SecretError(key_file.string() + ": " + e.what());
    }
  }
  std::string raw(kKeySize, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), kKeySize) != 1) {
    throw SecretError("OpenSSL could not generate a random key");
  }
  const int fd = ::open(key_file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) throw SecretError(key_file.string() + ": cannot create the secret key file");
  const std::string text = base64_encode(raw) + "\n";
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw SecretError(key_file.string() + ": cannot write the secret key file");
  return SecretBox(raw);
}

std::string SecretBox::encrypt(std::string_view plaintext) const {
  std::string nonce(kNonceSize, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), kNonceSize) != 1) {
    throw SecretError("OpenSSL could not generate a nonce");
  }
  auto ctx = new_context();
  std::string out = nonce;
  out.resize(kNonceSize + plaintext.size() + kTagSize);
  int len = 0;
  auto* cipher = reinterpret_cast<unsigned char*>(out.data() + kNonceSize);
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, reinterpret_cast<const unsigned char*>(key_.data()),
                         reinterpret_cast<const unsigned char*>(nonce.data())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), cipher, &len, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), cipher + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, cipher + plaintext.size()) != 1) {
    throw SecretError("OpenSSL could not encrypt");
  }
  return "enc:" + base64_encode(out);
}

std::string SecretBox::decrypt(std::string_view value) const {
  if (!is_encrypted(value)) throw SecretError("not an encrypted value (no enc: prefix)");
  const std::string raw = base64_decode(value.substr(4));
  if (raw.size() < kNonceSize + kTagSize) throw SecretError("encrypted value is too short");
  const std::size_t n = raw.size() - kNonceSize - kTagSize;
  auto ctx = new_context();
  std::string plain(n, '\0');
  int len = 0;
  std::string tag = raw.substr(kNonceSize + n);
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, reinterpret_cast<const unsigned char*>(key_.data()),
                         reinterpret_cast<const unsigned char*>(raw.data())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len,
                        reinterpret_cast<const unsigned char*>(raw.data() + kNonceSize), static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &len) != 1) {
    throw SecretError("cannot decrypt the value: it is damaged or was encrypted under another key");
  }
  return plain;
}

PasswordFileChange encrypt_password_in_file(const std::filesystem::path& path, const SecretBox& box) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return PasswordFileChange::kNone;
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();

  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception&) {
    return PasswordFileChange::kNone;  // load_settings reports malformed files
  }
  if (!root.IsMap() || !root["settings"] || !root["settings"].IsMap()) return PasswordFileChange::kNone;
  const YAML::Node settings = root["settings"];
  int key_line = -1;
  std::string plaintext;
  for (auto it = settings.begin(); it != settings.end(); ++it) {
    if (it->first.Scalar() == "vcenter_password" && it->second.IsScalar()) {
      key_line = it->first.Mark().line;
      plaintext = it->second.Scalar();
      if (it->second.Mark().line != key_line) return PasswordFileChange::kNone;  // multi-line value: leave it
    }
  }
  if (key_line < 0 || plaintext.empty() || SecretBox::is_encrypted(plaintext)) return PasswordFileChange::kNone;

  // Rewrite that one line, keeping its indentation and the rest of the file byte for byte.
  std::vector<std::string> lines;
  std::stringstream split(text);
  for (std::string line; std::getline(split, line);) lines.push_back(line);
  if (key_line >= static_cast<int>(lines.size())) return PasswordFileChange::kNone;
  std::string& line = lines[static_cast<std::size_t>(key_line)];
  const std::size_t indent = line.find_first_not_of(" \t");
  line = line.substr(0, indent) + "vcenter_password: \"" + box.encrypt(plaintext) + "\"";

  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out += lines[i];
    if (i + 1 < lines.size() || (!text.empty() && text.back() == '\n')) out += "\n";
  }

  if (::access(path.c_str(), W_OK) != 0 || ::access(path.parent_path().empty() ? "." : path.parent_path().c_str(), W_OK) != 0) {
    return PasswordFileChange::kReadOnly;
  }
  struct stat st {};
  ::stat(path.c_str(), &st);
  const std::filesystem::path temp = path.string() + ".vctp-tmp";
  {
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, st.st_mode & 07777);
    if (fd < 0) return PasswordFileChange::kReadOnly;
    const bool ok = ::write(fd, out.data(), out.size()) == static_cast<ssize_t>(out.size()) && ::fsync(fd) == 0;
    ::fchmod(fd, st.st_mode & 07777);
    ::close(fd);
    if (!ok) {
      std::filesystem::remove(temp);
      return PasswordFileChange::kReadOnly;
    }
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    std::filesystem::remove(temp);
    return PasswordFileChange::kReadOnly;
  }
  return PasswordFileChange::kEncrypted;
}

std::filesystem::path secret_key_path(const std::string& database_driver, const std::string& database_url,
                                      const std::filesystem::path& settings_path) {
  constexpr const char* kName = "vctp-secret.key";
  if (database_driver == "sqlite") {
    std::string file = database_url;
    if (file.rfind("file:", 0) == 0) {
      file = file.substr(5);
      if (const auto q = file.find('?'); q != std::string::npos) file.resize(q);
    }
    const auto dir = std::filesystem::absolute(file).parent_path();
    return dir / kName;
  }
  return std::filesystem::absolute(settings_path).parent_path() / kName;
}

}  // namespace vctp::core
