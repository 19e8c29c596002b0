#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vctp::gateway {

/// Lower-case hex SHA-256 of `text`: what api_tokens holds for each bearer token.
std::string sha256_hex(std::string_view text);

/// Checks bearer tokens against the SHA-256 hashes of api_tokens, in constant time.
class TokenAuth {
 public:
  enum class Result { kOk, kMissing, kWrong };

  /// `hashes`: 64 hex digits each (any case); others are ignored and listed by rejected().
  explicit TokenAuth(const std::vector<std::string>& hashes);

  /// Checks an Authorization header value ("Bearer <token>"); nullopt header means none sent.
  Result check(const std::optional<std::string>& authorization) const;

  std::size_t size() const { return hashes_.size(); }
  const std::vector<std::string>& rejected() const { return rejected_; }

 private:
  std::vector<std::string> hashes_;
  std::vector<std::string> rejected_;
};

/// `vctp-gateway --hash-token [TOKEN]`: prints the hash of TOKEN (or of the first line of
/// stdin) and returns 0; returns nullopt when the command line does not ask for it.
std::optional<int> run_hash_token_command(int argc, char** argv);

}  // namespace vctp::gateway
