#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace vctp::reporter {

/// A file written under a temporary hidden name in its final directory and renamed into place
/// only when complete, so readers never see a partial file under the final name. Until commit()
/// the temporary file is removed on destruction (also when writing threw).
class StagedFile {
 public:
  /// Reserves a temporary file `.<final_name>.tmp-XXXXXX` in `dir`. Throws ReportWriteError when
  /// the directory is missing or not writable.
  StagedFile(const std::filesystem::path& dir, const std::string& final_name);
  ~StagedFile();
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;

  const std::filesystem::path& temp_path() const { return temp_; }
  const std::filesystem::path& final_path() const { return final_; }

  /// Flushes the temporary file to disk, renames it over the final name (replacing an earlier
  /// version atomically) and flushes the directory. Returns the file's size. Throws
  /// ReportWriteError; the temporary file is then removed.
  std::uintmax_t commit();

 private:
  std::filesystem::path temp_;
  std::filesystem::path final_;
  bool committed_ = false;
};

/// The file mode creation mask in the text of /proc/<pid>/status (its "Umask:" line, octal), or
/// nullopt when there is none or it is malformed. StagedFile gives its files 0644 less that mask,
/// as a plain create would, without umask(2)'s process-wide set-and-restore.
std::optional<unsigned> parse_status_umask(std::string_view status);

}  // namespace vctp::reporter
