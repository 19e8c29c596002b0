#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <system_error>
#include <vector>

#include "vctp/core/logging.hpp"
#include "vctp/http/server.hpp"

namespace vctp::http {
namespace {

constexpr long kValiditySeconds = 10L * 365 * 24 * 3600;

struct EvpPkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct ExtensionFree {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
struct FileClose {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

[[noreturn]] void fail(const std::string& what) {
  const unsigned long code = ERR_get_error();
  std::array<char, 256> buf{};
  if (code != 0) ERR_error_string_n(code, buf.data(), buf.size());
  throw ServerError(what + (code != 0 ? std::string(": ") + buf.data() : std::string()));
}

void check(int rc, const std::string& what) {
  if (rc != 1) fail(what);
}

std::string host_name() {
  std::array<char, 256> buf{};
  if (gethostname(buf.data(), buf.size() - 1) != 0) return "localhost";
  return buf.data();
}

/// The machine's IPv4 addresses (for a certificate bound to every interface).
std::vector<std::string> local_ipv4_addresses() {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    std::array<char, INET_ADDRSTRLEN> text{};
    const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
    if (inet_ntop(AF_INET, &in->sin_addr, text.data(), text.size()) == nullptr) continue;
    const std::string ip = text.data();
    if (ip != "127.0.0.1" && std::find(out.begin(), out.end(), ip) == out.end()) out.push_back(ip);
  }
  freeifaddrs(list);
  return out;
}

bool is_ip_literal(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789.:abcdefABCDEF") == std::string::npos &&
         (text.find('.') != std::string::npos || text.find(':') != std::string::npos);
}

std::unique_ptr<std::FILE, FileClose> open_for_write(const std::filesystem::path& path, mode_t mode) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    throw ServerError("cannot write " + path.string() + ": " + std::generic_category().message(errno) +
                      " (set tls_cert_filename / tls_key_filename to a writable place, or provide them)");
  }
  if (::fchmod(fd, mode) != 0) {
    ::close(fd);
    throw ServerError("cannot set the mode of " + path.string());
  }
  std::FILE* f = ::fdopen(fd, "w");
  if (f == nullptr) {
    ::close(fd);
    throw ServerError("cannot open " + path.string());
  }
  return std::unique_ptr<std::FILE, FileClose>(f);
}

}  // namespace

CertificateStatus ensure_certificate(const std::filesystem::path& cert_file,
                                     const std::filesystem::path& key_file, const std::string& bind_ip) {
  if (std::filesystem::exists(cert_file) && std::filesystem::exists(key_file)) {
    return CertificateStatus::kExisting;
  }
  std::unique_ptr<EVP_PKEY, EvpPkeyFree> key(EVP_EC_gen("P-256"));
  if (!key) fail("cannot generate a key");

  std::unique_ptr<X509, X509Free> cert(X509_new());
  if (!cert) fail("cannot allocate a certificate");
  check(X509_set_version(cert.get(), 2), "X509_set_version");
  std::array<unsigned char, 16> serial{};
  std::FILE* urandom = std::fopen("/dev/urandom", "rb");
  if (urandom == nullptr || std::fread(serial.data(), 1, serial.size(), urandom) != serial.size()) {
    if (urandom) std::fclose(urandom);
    throw ServerError("cannot read /dev/urandom for a certificate serial");
  }
  std::fclose(urandom);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr);
  if (bn == nullptr) fail("BN_bin2bn");
  ASN1_INTEGER* asn_serial = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  if (asn_serial == nullptr) fail("BN_to_ASN1_INTEGER");
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr) fail("notBefore");
  if (X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValiditySeconds) == nullptr) fail("notAfter");
  check(X509_set_pubkey(cert.get(), key.get()), "X509_set_pubkey");

  const std::string host = host_name();
  X509_NAME* name = X509_get_subject_name(cert.get());
  check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("vctp"), -1, -1, 0),
        "subject O");
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(host.c_str()), -1, -1, 0),
        "subject CN");
  check(X509_set_issuer_name(cert.get(), name), "X509_set_issuer_name");

  std::string san = "DNS:" + host;
  if (host != "localhost") san += ",DNS:localhost";
  san += ",IP:127.0.0.1";
  if (bind_ip == "0.0.0.0" || bind_ip == "::" || bind_ip.empty()) {
    for (const auto& ip : local_ipv4_addresses()) san += ",IP:" + ip;
  } else if (is_ip_literal(bind_ip) && bind_ip != "127.0.0.1") {
    san += ",IP:" + bind_ip;
  } else if (!is_ip_literal(bind_ip) && bind_ip != host && bind_ip != "localhost") {
    san += ",DNS:" + bind_ip;
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  const std::array<std::pair<int, std::string>, 3> extensions{{
      {NID_subject_alt_name, san},
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_ext_key_usage, "serverAuth"},
  }};
  for (const auto& [nid, value] : extensions) {
    std::unique_ptr<X509_EXTENSION, ExtensionFree> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    if (!ext) fail("certificate extension " + value);
    check(X509_add_ext(cert.get(), ext.get(), -1), "X509_add_ext");
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) fail("X509_sign");

  {
    auto f = open_for_write(key_file, 0600);
    check(PEM_write_PrivateKey(f.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr), "writing the key");
    if (std::fflush(f.get()) != 0) throw ServerError("cannot write " + key_file.string());
  }
  {
    auto f = open_for_write(cert_file, 0644);
    check(PEM_write_X509(f.get(), cert.get()), "writing the certificate");
    if (std::fflush(f.get()) != 0) throw ServerError("cannot write " + cert_file.string());
  }
  core::log_info("generated a self-signed TLS certificate",
                 {{"certificate", cert_file.string()}, {"key", key_file.string()}, {"subject_alt_name", san}});
  return CertificateStatus::kGenerated;
}

}  // namespace vctp::http
