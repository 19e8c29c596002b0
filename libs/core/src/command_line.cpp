#include "vctp/core/command_line.hpp"

namespace vctp::core {

CommandLine parse_command_line(int argc, const char* const* argv) {
  CommandLine cl;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-settings" || arg == "--settings") {
      if (i + 1 >= argc) throw UsageError(arg + " needs a path");
      cl.settings_path = argv[++i];
    } else if (arg.rfind("--settings=", 0) == 0 || arg.rfind("-settings=", 0) == 0) {
      cl.settings_path = arg.substr(arg.find('=') + 1);
      if (cl.settings_path.empty()) throw UsageError(arg + " needs a path");
    } else if (arg == "--version" || arg == "-version") {
      cl.show_version = true;
    } else if (arg == "--help" || arg == "-h" || arg == "-help") {
      cl.show_help = true;
    } else if (arg == "--check-settings" || arg == "-check-settings") {
      cl.check_settings = true;
    } else if (arg == "--settings-reference") {
      cl.print_reference = true;
    } else {
      cl.rest.push_back(arg);
    }
  }
  return cl;
}

}  // namespace vctp::core
