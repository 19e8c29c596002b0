#include "staged_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
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

}  // namespace

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
  ::close(fd);
  temp_ = buf.data();
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
