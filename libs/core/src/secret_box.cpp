#include "vctp/core/secret_box.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>
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

/// The byte range [begin, end) of the one-line scalar that starts at `begin` in `text`: a
/// quoted scalar up to its closing quote, a plain one up to a comment or the end of the line
/// (trailing blanks excluded). nullopt for what a one-line splice cannot replace: block
/// scalars, anchors, tags, aliases, flow collections, a quoted scalar going on to the next line.
std::optional<std::pair<std::size_t, std::size_t>> scalar_span(const std::string& text, std::size_t begin) {
  if (begin >= text.size()) return std::nullopt;
  const char first = text[begin];
  std::size_t i = begin + 1;
  if (first == '\'' || first == '"') {
    for (; i < text.size() && text[i] != '\n' && text[i] != '\r'; ++i) {
      if (first == '"' && text[i] == '\\') {
        ++i;
      } else if (text[i] == first) {
        if (first == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
          ++i;  // '' is a quote inside single quotes
        } else {
          return std::make_pair(begin, i + 1);
        }
      }
    }
    return std::nullopt;
  }
  if (std::string_view("|>&!*{[").find(first) != std::string_view::npos) return std::nullopt;
  std::size_t end = begin + 1;
  for (; i < text.size() && text[i] != '\n' && text[i] != '\r'; ++i) {
    if (text[i] == '#' && (text[i - 1] == ' ' || text[i - 1] == '\t')) break;
    if (text[i] != ' ' && text[i] != '\t') end = i + 1;
  }
  return std::make_pair(begin, end);
}

/// Whether two YAML trees hold the same values (styles, tags and comments aside).
bool same_tree(const YAML::Node& a, const YAML::Node& b) {
  if (a.Type() != b.Type()) return false;
  if (a.IsScalar()) return a.Scalar() == b.Scalar();
  if (a.size() != b.size()) return false;
  if (a.IsSequence()) {
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!same_tree(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.IsMap()) {
    for (auto x = a.begin(), y = b.begin(); x != a.end(); ++x, ++y) {
      if (!same_tree(x->first, y->first) || !same_tree(x->second, y->second)) return false;
    }
  }
  return true;
}

/// Whether `rewritten` parses to `original` with settings.vcenter_password set to `password`.
bool same_except_password(const YAML::Node& original, const std::string& rewritten, const std::string& password) {
  YAML::Node parsed;
  try {
    parsed = YAML::Load(rewritten);
  } catch (const YAML::Exception&) {
    return false;
  }
  const YAML::Node& root = parsed;
  if (!root.IsMap() || !root["settings"] || !root["settings"].IsMap() || root.size() != original.size()) return false;
  for (auto x = original.begin(), y = root.begin(); x != original.end(); ++x, ++y) {
    if (!same_tree(x->first, y->first)) return false;
    if (x->first.Scalar() != "settings") {
      if (!same_tree(x->second, y->second)) return false;
      continue;
    }
    const YAML::Node a = x->second;
    const YAML::Node b = y->second;
    if (a.size() != b.size()) return false;
    for (auto p = a.begin(), q = b.begin(); p != a.end(); ++p, ++q) {
      if (!same_tree(p->first, q->first)) return false;
      const bool password_entry = p->first.Scalar() == "vcenter_password";
      const bool same = password_entry ? q->second.IsScalar() && q->second.Scalar() == password
                                       : same_tree(p->second, q->second);
      if (!same) return false;
    }
  }
  return true;
}

}  // namespace

SecretBox::SecretBox(std::string key) : key_(std::move(key)) {
  if (key_.size() != kKeySize) throw SecretError("a secret key must be 32 bytes");
}

SecretBox SecretBox::load(const std::filesystem::path& key_file) {
  if (const char* env = std::getenv("VCTP_SECRET_KEY"); env && *env) {
    try {
      return SecretBox(decode_key_text(env));
    } catch (const SecretError& e) {
      throw SecretError(std::string("VCTP_SECRET_KEY: ") + e.what());
    }
  }
  std::ifstream in(key_file);
  if (!in) {
    throw SecretError(key_file.string() + (std::filesystem::exists(key_file) ? ": cannot read the secret key"
                                                                             : ": no such secret key file"));
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    return SecretBox(decode_key_text(text.str()));
  } catch (const SecretError& e) {
    throw SecretError(key_file.string() + ": " + e.what());
  }
}

SecretBox SecretBox::load_or_create(const std::filesystem::path& key_file) {
  const char* env = std::getenv("VCTP_SECRET_KEY");
  if ((env && *env) || std::filesystem::exists(key_file)) return load(key_file);
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

PasswordFileChange encrypt_password_in_file(const std::filesystem::path& settings_path,
                                            const std::function<SecretBox()>& open_box) {
  std::error_code error;
  const std::filesystem::path path = std::filesystem::canonical(settings_path, error);
  if (error) return PasswordFileChange::kNone;  // load_settings reports a missing file
  std::ifstream in(path, std::ios::binary);
  if (!in) return PasswordFileChange::kNone;
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();

  YAML::Node parsed;
  try {
    parsed = YAML::Load(text);
  } catch (const YAML::Exception&) {
    return PasswordFileChange::kNone;  // load_settings reports malformed files
  }
  const YAML::Node& root = parsed;
  if (!root.IsMap() || !root["settings"] || !root["settings"].IsMap()) return PasswordFileChange::kNone;
  const YAML::Node settings = root["settings"];
  std::vector<YAML::Node> values;
  for (auto it = settings.begin(); it != settings.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == "vcenter_password") values.push_back(it->second);
  }
  if (values.empty()) return PasswordFileChange::kNone;
  const YAML::Node& value = values.front();
  if (value.IsScalar() && (value.Scalar().empty() || SecretBox::is_encrypted(value.Scalar()))) {
    return PasswordFileChange::kNone;
  }
  if (values.size() > 1 || !value.IsScalar() || root.Style() == YAML::EmitterStyle::Flow ||
      settings.Style() == YAML::EmitterStyle::Flow) {
    return PasswordFileChange::kUnsupported;
  }
  const std::string plaintext = value.Scalar();
  const auto span = scalar_span(text, static_cast<std::size_t>(value.Mark().pos));
  if (!span) return PasswordFileChange::kUnsupported;
  const auto splice = [&](const std::string& replacement) {
    return text.substr(0, span->first) + "\"" + replacement + "\"" + text.substr(span->second);
  };
  // Check the rewrite before a key is made: a placeholder of the same form as an encrypted value
  // must leave every other setting as it was.
  constexpr const char* kPlaceholder = "enc:AAAA";
  if (!same_except_password(root, splice(kPlaceholder), kPlaceholder)) return PasswordFileChange::kUnsupported;

  struct stat st {};
  const std::filesystem::path dir = path.parent_path();
  if (::stat(path.c_str(), &st) != 0 || (st.st_mode & 0222) == 0 || ::access(path.c_str(), W_OK) != 0 ||
      ::access(dir.c_str(), W_OK) != 0) {
    return PasswordFileChange::kReadOnly;
  }

  const std::string out = splice(open_box().encrypt(plaintext));
  const std::filesystem::path temp = path.string() + ".vctp-tmp";
  {
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, st.st_mode & 07777);
    if (fd < 0) return PasswordFileChange::kReadOnly;
    bool ok = ::write(fd, out.data(), out.size()) == static_cast<ssize_t>(out.size());
    // Another owner keeps the file when we may give it back (root); otherwise it is ours now.
    if (::fchown(fd, st.st_uid, st.st_gid) != 0 && errno != EPERM) ok = false;
    ok = ok && ::fchmod(fd, st.st_mode & 07777) == 0 && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
      std::filesystem::remove(temp, error);
      return PasswordFileChange::kReadOnly;
    }
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    std::filesystem::remove(temp, error);
    return PasswordFileChange::kReadOnly;
  }
  return PasswordFileChange::kEncrypted;
}

PasswordFileChange encrypt_password_in_file(const std::filesystem::path& path, const SecretBox& box) {
  return encrypt_password_in_file(path, [&box] { return box; });
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
