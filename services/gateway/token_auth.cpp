#include "token_auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <iostream>
#include <stdexcept>

namespace vctp::gateway {
namespace {

bool is_hex64(std::string_view s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

std::string trim(std::string s) {
  const auto not_space = [](unsigned char c) { return std::isspace(c) == 0; };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

}  // namespace

std::string sha256_hex(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

TokenAuth::TokenAuth(const std::vector<std::string>& hashes) {
  for (const auto& h : hashes) {
    std::string t = trim(h);
    if (!is_hex64(t)) {
      rejected_.push_back(h);
      continue;
    }
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    hashes_.push_back(std::move(t));
  }
}

TokenAuth::Result TokenAuth::check(const std::optional<std::string>& authorization) const {
  if (!authorization) return Result::kMissing;
  const std::string value = trim(*authorization);
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size()) return Result::kMissing;
  std::string scheme = value.substr(0, kScheme.size());
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != kScheme) return Result::kMissing;
  const std::string presented = sha256_hex(trim(value.substr(kScheme.size())));
  // Compare with every hash, whatever matched: the time taken does not depend on the token.
  bool match = false;
  for (const auto& h : hashes_) {
    match |= CRYPTO_memcmp(h.data(), presented.data(), presented.size()) == 0;
  }
  return match ? Result::kOk : Result::kWrong;
}

std::optional<int> run_hash_token_command(int argc, char** argv) {
  int at = -1;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--hash-token") at = i;
  }
  if (at < 0) return std::nullopt;
  std::string token;
  if (at + 1 < argc) {
    token = argv[at + 1];
  } else {
    std::getline(std::cin, token);
  }
  token = trim(token);
  if (token.empty()) {
    std::cerr << "vctp-gateway: --hash-token needs a token (as an argument or on stdin)\n";
    return 2;
  }
  std::cout << sha256_hex(token) << "\n";
  return 0;
}

}  // namespace vctp::gateway
