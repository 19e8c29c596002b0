#pragma once

#include <string_view>

#include "vctp/bus/connection.hpp"

namespace vctp::service {

/// `base` made the durable consumer of `subject` that `service` reads: named by
/// bus::durable_name, filtered to that subject (the rest of `base` as given).
bus::ConsumerConfig durable_consumer(std::string_view service, std::string_view subject, bus::ConsumerConfig base = {});

}  // namespace vctp::service
