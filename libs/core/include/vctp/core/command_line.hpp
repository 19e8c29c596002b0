#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace vctp::core {

/// A command line that cannot be used; main prints it with the usage and exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The options every vctp binary takes; anything else is left in `rest` for the service.
struct CommandLine {
  std::string settings_path = "/etc/dtms/vctp.yml";
  bool show_version = false;
  bool show_help = false;
  bool check_settings = false;
  bool print_reference = false;  ///< --settings-reference: print config/vctp.yml
  std::vector<std::string> rest;
};

/// Parses `-settings PATH` (also `--settings PATH`, `--settings=PATH`), `--version`, `--help`
/// (`-h`), `--check-settings` and `--settings-reference`. Throws UsageError on a missing value.
CommandLine parse_command_line(int argc, const char* const* argv);

}  // namespace vctp::core
