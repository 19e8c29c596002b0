#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vctp/vsphere/errors.hpp"
#include "vctp/vsphere/events.hpp"
#include "vctp/vsphere/inventory.hpp"
#include "vctp/vsphere/managed_object.hpp"

namespace vctp::vsphere {

/// One SOAP call as seen by the client, for metrics.
struct SoapCall {
  std::string method;  ///< e.g. "RetrievePropertiesEx"
  double seconds = 0;  ///< from sending the request to the end of parsing the answer
  std::size_t response_bytes = 0;
  bool ok = true;  ///< false when the call ended in an error (of any kind)
};

/// How to reach one vCenter.
struct ClientOptions {
  /// The SDK URL: https://vc.example.com/sdk (a bare host or host:port gets https:// and /sdk).
  /// http:// URLs speak plain HTTP.
  std::string url;
  std::string username;
  std::string password;
  /// Skips certificate and host name verification (self-signed vCenters).
  bool insecure = false;
  /// PEM file of extra trusted CAs, beside the system's.
  std::string ca_file;
  std::chrono::milliseconds connect_timeout{10'000};  ///< TCP connect plus TLS handshake
  std::chrono::milliseconds read_timeout{60'000};     ///< longest wait for the next bytes
  std::chrono::milliseconds call_timeout{600'000};    ///< longest time for one SOAP call
  /// Objects per RetrievePropertiesEx page (options.maxObjects).
  int max_objects_per_page = 1000;
  /// Label of this vCenter in rows and metrics; defaults to vcenter_label(url).
  std::string label;
  /// Called after every SOAP call (e.g. to observe latency; see soap_metrics.hpp).
  std::function<void(const SoapCall&)> on_soap_call;
};

/// What RetrieveServiceContent says about the vCenter.
struct About {
  std::string name;
  std::string full_name;
  std::string version;
  std::string api_version;
  std::string instance_uuid;
  std::string api_type;  ///< "VirtualCenter" or "HostAgent"
};

/// A vim25 SOAP client for one vCenter, over one keep-alive HTTPS connection (reopened when the
/// vCenter closes it). Logs in on first use and, when the session turns out to be invalid
/// (NotAuthenticated, as a fault or in a missingSet), logs in again once and retries the whole
/// operation once. Thread-compatible: use one client from one thread at a time.
/// Every failure is a VsphereError (see errors.hpp).
class VcenterClient {
 public:
  /// Does no I/O. Throws std::invalid_argument for a malformed URL or option.
  explicit VcenterClient(ClientOptions options);
  /// Logs out if a session is open (errors are logged, not thrown).
  ~VcenterClient();
  VcenterClient(const VcenterClient&) = delete;
  VcenterClient& operator=(const VcenterClient&) = delete;

  const ClientOptions& options() const;
  /// The label used in rows and metrics.
  const std::string& label() const;

  /// Retrieves the service content (once) and logs in (when not logged in yet).
  void login();
  /// Ends the session; the next call logs in again.
  void logout();
  /// The vCenter's about information (retrieves the service content if needed).
  const About& about();

  /// Reads the given properties of every object of the given types under the root folder, in
  /// one container view, following RetrievePropertiesEx paging to the last page.
  std::vector<ManagedObject> retrieve_objects(const std::vector<PropertySpec>& specs);

  /// Reads the inventory (inventory_property_specs()) and resolves it into rows.
  Inventory retrieve_inventory(int tenant_folder_level = 1);

  /// Reads the events matching `query`, sorted by key, through an event history collector.
  std::vector<VmEvent> read_events(const EventQuery& query);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The label of a vCenter: host[:port] of its SDK URL as written (credentials removed).
/// Throws std::invalid_argument for a URL the client cannot use.
std::string vcenter_label(const std::string& url);

}  // namespace vctp::vsphere
