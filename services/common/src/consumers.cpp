#include "vctp/service/consumers.hpp"

#include <string>

namespace vctp::service {

bus::ConsumerConfig durable_consumer(std::string_view service, std::string_view subject, bus::ConsumerConfig base) {
  base.durable = bus::durable_name(service, subject);
  base.filter_subject = std::string(subject);
  return base;
}

}  // namespace vctp::service
