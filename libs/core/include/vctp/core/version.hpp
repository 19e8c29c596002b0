#pragma once

#include <string_view>

namespace vctp::core {

/// The version of the vctp suite, from the CMake project.
std::string_view version();

}  // namespace vctp::core
