#include <catch2/catch.hpp>

#include <stdexcept>

#include "vctp/vsphere/client.hpp"

using vctp::vsphere::vcenter_label;

TEST_CASE("a vCenter's label is host[:port] of its URL as written, without credentials") {
  CHECK(vcenter_label("https://vc.example.com/sdk") == "vc.example.com");
  CHECK(vcenter_label("https://vc.example.com:8443/sdk") == "vc.example.com:8443");
  CHECK(vcenter_label("http://user:secret@10.0.0.5:8080/sdk") == "10.0.0.5:8080");
  CHECK(vcenter_label("vc01.corp") == "vc01.corp");
  CHECK(vcenter_label("https://[::1]:443/sdk") == "[::1]:443");
}

TEST_CASE("URLs the client cannot use are refused up front") {
  CHECK_THROWS_AS(vcenter_label("ftp://vc.example.com/sdk"), std::invalid_argument);
  CHECK_THROWS_AS(vcenter_label("https:///sdk"), std::invalid_argument);
  CHECK_THROWS_AS(vcenter_label("https://vc.example.com:44x3/sdk"), std::invalid_argument);
  CHECK_THROWS_AS(vcenter_label("https://[::1/sdk"), std::invalid_argument);
}

TEST_CASE("constructing a client checks its options and does no I/O") {
  vctp::vsphere::ClientOptions o;
  o.url = "https://192.0.2.1/sdk";  // TEST-NET: nothing answers there
  o.username = "u";
  o.password = "p";
  vctp::vsphere::VcenterClient client(o);
  CHECK(client.label() == "192.0.2.1");
  o.max_objects_per_page = 0;
  CHECK_THROWS_AS(vctp::vsphere::VcenterClient(o), std::invalid_argument);
}
