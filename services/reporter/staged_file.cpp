#include "staged_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "vctp/core/logging.hpp"
#include "xlsx_writer.hpp"

namespace vctp::reporter {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

void fsync_path(const std::filesystem::path& path, int flags, const std::string& what) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw ReportWriteError("cannot open " + what + " " + path.string() + ": " + errno_text(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) throw ReportWriteError("cannot flush " + what + " " + path.string() + " to disk: " + errno_text(err));
}

/// The process's file mode creation mask, read without changing it (umask(2) can only be read
/// by setting it, which races with other threads creating files); 022 when it cannot be read.
mode_t current_umask() {
  std::ifstream in("/proc/self/status");
  std::ostringstream status;
  status << in.rdbuf();
  return static_cast<mode_t>(parse_status_umask(status.str()).value_or(022));
}

}  // namespace

std::optional<unsigned> parse_status_umask(std::string_view status) {
  constexpr std::string_view kKey = "Umask:";
  std::size_t at = 0;
  while (at < status.size()) {
    const std::size_t eol = std::min(status.find('\n', at), status.size());
    std::string_view line = status.substr(at, eol - at);
    at = eol + 1;
    if (!line.starts_with(kKey)) continue;
    line.remove_prefix(kKey.size());
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    unsigned mask = 0;
    const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), mask, 8);
    if (ec != std::errc{} || end == line.data() || mask > 0777) return std::nullopt;
    return mask;
  }
  return std::nullopt;
}

StagedFile::StagedFile(const std::filesystem::path& dir, const std::string& final_name) : final_(dir / final_name) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw ReportWriteError("reports_dir " + dir.string() + " does not exist or is not a directory");
  }
  std::string pattern = (dir / ("." + final_name + ".tmp-XXXXXX")).string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  const int fd = ::mkstemp(buf.data());
  if (fd < 0) {
    throw ReportWriteError("cannot create a file in reports_dir " + dir.string() + ": " + errno_text(errno) +
                           " (check that it is writable by this user and not full)");
  }
  temp_ = buf.data();
  // mkstemp creates 0600; reports are for others to read (the gateway, file shares): 0644 less
  // the umask, as a plain create would give.
  if (::fchmod(fd, 0644 & ~current_umask()) != 0) {
    const int err = errno;
    ::close(fd);
    std::filesystem::remove(temp_, ec);
    throw ReportWriteError("cannot set the permissions of " + temp_.string() + ": " + errno_text(err));
  }
  ::close(fd);
}

StagedFile::~StagedFile() {
  if (committed_) return;
  std::error_code ec;
  std::filesystem::remove(temp_, ec);
  if (ec) core::log_warn("cannot remove temporary report file", {{"file", temp_.string()}, {"error", ec.message()}});
}

std::uintmax_t StagedFile::commit() {
  fsync_path(temp_, O_RDONLY, "report file");
  std::error_code ec;
  const auto size = std::filesystem::file_size(temp_, ec);
  if (ec) throw ReportWriteError("cannot read the size of " + temp_.string() + ": " + ec.message());
  if (::rename(temp_.c_str(), final_.c_str()) != 0) {
    throw ReportWriteError("cannot rename " + temp_.string() + " to " + final_.string() + ": " + errno_text(errno));
  }
  committed_ = true;
  fsync_path(final_.parent_path(), O_RDONLY | O_DIRECTORY, "directory");
  return size;
}

}  // namespace vctp::reporter
