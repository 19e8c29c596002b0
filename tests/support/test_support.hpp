#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace vctp::test {

/// A temporary directory removed with everything in it when this goes out of scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// The directory where CTest fixtures leave what tests need (test-fixtures/NAME/...).
std::filesystem::path fixtures_dir();

/// The content of test-fixtures/NAME/FILE (trimmed), or nullopt when the fixture is not running.
std::optional<std::string> fixture_value(const std::string& name, const std::string& file);

/// A TCP port free on 127.0.0.1 right now.
int free_port();

/// The source tree's root.
std::filesystem::path source_dir();

/// Writes `text` to `path`.
void write_file(const std::filesystem::path& path, const std::string& text);

/// Reads the whole of `path`.
std::string read_file(const std::filesystem::path& path);

/// Runs a shell command; returns its exit status and what it printed (stdout and stderr).
struct CommandResult {
  int status;
  std::string output;
};
CommandResult run_command(const std::string& command);

}  // namespace vctp::test
