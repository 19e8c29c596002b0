#include "vctp/vsphere/client.hpp"

#include <algorithm>
#include <stdexcept>

#include "http_transport.hpp"
#include "soap.hpp"
#include "vctp/core/logging.hpp"
#include "vctp/core/time_format.hpp"

namespace vctp::vsphere {

using detail::child;
using detail::moref_xml;
using detail::xml_escape;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kSessionCookie = "vmware_soap_session";
constexpr const char* kDefaultSoapAction = "\"urn:vim25/6.7\"";

// host[:port] as written in the URL, without credentials (as the collector labels vCenters).
std::string authority_of(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  const auto end = url.find('/', start);
  std::string host = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (const auto at = host.rfind('@'); at != std::string::npos) host.erase(0, at + 1);
  return host;
}

std::string element(std::string_view name, std::string_view text) {
  std::string out = "<";
  out += name;
  out += ">";
  out += xml_escape(text);
  out += "</";
  out += name;
  out += ">";
  return out;
}

}  // namespace

std::string vcenter_label(const std::string& url) {
  detail::parse_endpoint(url);  // validates
  return authority_of(url);
}

struct VcenterClient::Impl {
  ClientOptions opt;
  detail::Endpoint endpoint;
  detail::HttpTransport transport;
  std::optional<detail::ServiceContent> content;
  std::string cookie;  // "vmware_soap_session=..." or empty
  bool logged_in = false;

  explicit Impl(ClientOptions o)
      : opt(std::move(o)),
        endpoint(detail::parse_endpoint(opt.url)),
        transport(endpoint, detail::TransportOptions{opt.insecure, opt.ca_file, opt.connect_timeout, opt.read_timeout}) {
    if (opt.label.empty()) opt.label = authority_of(opt.url);
    if (opt.max_objects_per_page <= 0) throw std::invalid_argument("max_objects_per_page must be positive");
  }

  std::string soap_action() const {
    if (content && !content->about.api_version.empty()) return "\"urn:vim25/" + content->about.api_version + "\"";
    return kDefaultSoapAction;
  }

  void take_cookie(const std::vector<std::string>& set_cookies) {
    for (const auto& c : set_cookies) {
      const std::string prefix = std::string(kSessionCookie) + "=";
      if (c.compare(0, prefix.size(), prefix) != 0) continue;
      cookie = c.substr(0, c.find(';'));
    }
  }

  /// One SOAP call: envelope, POST, cookie, parse, typed faults, metrics.
  std::unique_ptr<detail::SoapDocument> call(const std::string& method, const std::string& body) {
    const auto start = Clock::now();
    const auto deadline = start + opt.call_timeout;
    SoapCall record{method, 0, 0, false};
    try {
      auto res = transport.post(detail::envelope(body), soap_action(), cookie, deadline);
      take_cookie(res.set_cookies);
      record.response_bytes = res.body.size();
      auto doc = detail::parse_soap(std::move(res.body), res.status, method);
      record.ok = true;
      record.seconds = std::chrono::duration<double>(Clock::now() - start).count();
      if (opt.on_soap_call) opt.on_soap_call(record);
      return doc;
    } catch (const VsphereError&) {
      record.seconds = std::chrono::duration<double>(Clock::now() - start).count();
      if (opt.on_soap_call) opt.on_soap_call(record);
      throw;
    }
  }

  const detail::ServiceContent& service_content() {
    if (!content) {
      auto doc = call("RetrieveServiceContent",
                      "<RetrieveServiceContent xmlns=\"urn:vim25\">" + moref_xml("_this", {"ServiceInstance", "ServiceInstance"}) +
                          "</RetrieveServiceContent>");
      content = detail::parse_service_content(doc->response);
    }
    return *content;
  }

  void login() {
    const auto& sc = service_content();
    cookie.clear();
    logged_in = false;
    call("Login", "<Login xmlns=\"urn:vim25\">" + moref_xml("_this", sc.session_manager) +
                      element("userName", opt.username) + element("password", opt.password) + "</Login>");
    if (cookie.empty()) throw ProtocolError("Login: the vCenter set no " + std::string(kSessionCookie) + " cookie");
    logged_in = true;
  }

  void logout() {
    if (!logged_in) return;
    logged_in = false;
    try {
      call("Logout", "<Logout xmlns=\"urn:vim25\">" + moref_xml("_this", content->session_manager) + "</Logout>");
    } catch (const NotAuthenticatedError&) {
      // Already gone: nothing to end.
    }
    cookie.clear();
  }

  /// Runs `op` in a session; when the session turns out invalid, logs in again and runs it once more.
  template <class Op>
  auto with_session(Op&& op) {
    if (!logged_in) login();
    try {
      return op();
    } catch (const NotAuthenticatedError& e) {
      core::log_info("vCenter session not valid any more: logging in again", {{"vcenter", opt.label}, {"error", e.what()}});
      login();
      return op();
    }
  }

  std::vector<ManagedObject> retrieve_objects(const std::vector<PropertySpec>& specs) {
    const auto& sc = service_content();
    std::string view_body = "<CreateContainerView xmlns=\"urn:vim25\">" + moref_xml("_this", sc.view_manager) +
                            moref_xml("container", sc.root_folder);
    for (const auto& s : specs) view_body += element("type", s.type);
    view_body += "<recursive>true</recursive></CreateContainerView>";
    auto view_doc = call("CreateContainerView", view_body);
    const auto rv = child(view_doc->response, "returnval");
    const MoRef view{rv.attribute("type").value(), rv.text().get()};
    view_doc.reset();
    if (view.empty()) throw ProtocolError("CreateContainerView: no view in the answer");

    std::string spec = "<specSet>";
    for (const auto& s : specs) {
      spec += "<propSet>" + element("type", s.type);
      for (const auto& p : s.paths) spec += element("pathSet", p);
      spec += "</propSet>";
    }
    spec += "<objectSet>" + moref_xml("obj", view) +
            "<skip>true</skip><selectSet xsi:type=\"TraversalSpec\"><name>traverseView</name>"
            "<type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet></specSet>";

    detail::PropertiesPage page;
    std::vector<ManagedObject> objects;
    std::string pending_token;
    try {
      auto doc = call("RetrievePropertiesEx", "<RetrievePropertiesEx xmlns=\"urn:vim25\">" +
                                                  moref_xml("_this", sc.property_collector) + spec +
                                                  "<options><maxObjects>" + std::to_string(opt.max_objects_per_page) +
                                                  "</maxObjects></options></RetrievePropertiesEx>");
      detail::parse_retrieve_result(child(doc->response, "returnval"), page);
      doc.reset();
      objects = std::move(page.objects);
      pending_token = page.token;
      while (!pending_token.empty()) {
        page.objects.clear();
        doc = call("ContinueRetrievePropertiesEx", "<ContinueRetrievePropertiesEx xmlns=\"urn:vim25\">" +
                                                       moref_xml("_this", sc.property_collector) +
                                                       element("token", pending_token) + "</ContinueRetrievePropertiesEx>");
        detail::parse_retrieve_result(child(doc->response, "returnval"), page);
        doc.reset();
        std::move(page.objects.begin(), page.objects.end(), std::back_inserter(objects));
        pending_token = page.token;
      }
    } catch (const NotAuthenticatedError&) {
      throw;  // the view died with the session
    } catch (const SoapFaultError& e) {
      // Our own view is unknown: it died with an expired session (govmomi's simulator answers
      // ManagedObjectNotFound where a vCenter says NotAuthenticated). A new session may help.
      if (e.fault_type() == "ManagedObjectNotFound") {
        throw NotAuthenticatedError(std::string(e.what()) + " (the container view vanished: session expired?)");
      }
      cleanup(view, pending_token);
      throw;
    } catch (const VsphereError&) {
      cleanup(view, pending_token);
      throw;
    }
    cleanup(view, {});
    return objects;
  }

  // Best effort: a failure here must not hide the result or the first error.
  void cleanup(const MoRef& view, const std::string& token) {
    if (!transport.connected() && !token.empty()) return;
    try {
      if (!token.empty()) {
        call("CancelRetrievePropertiesEx", "<CancelRetrievePropertiesEx xmlns=\"urn:vim25\">" +
                                               moref_xml("_this", content->property_collector) +
                                               element("token", token) + "</CancelRetrievePropertiesEx>");
      }
      call("DestroyView", "<DestroyView xmlns=\"urn:vim25\">" + moref_xml("_this", view) + "</DestroyView>");
    } catch (const VsphereError& e) {
      core::log_warn("cannot destroy a container view", {{"vcenter", opt.label}, {"view", view.value}, {"error", e.what()}});
    }
  }

  std::vector<VmEvent> read_events(const EventQuery& q) {
    const auto& sc = service_content();
    if (sc.event_manager.empty()) throw ProtocolError("this vCenter has no event manager");
    if (q.page_size <= 0) throw std::invalid_argument("EventQuery.page_size must be positive");
    std::string filter = "<filter>";
    if (q.begin || q.end) {
      filter += "<time>";
      if (q.begin) filter += element("beginTime", core::format_iso8601(*q.begin));
      if (q.end) filter += element("endTime", core::format_iso8601(*q.end));
      filter += "</time>";
    }
    filter += "<disableFullMessage>true</disableFullMessage>";
    for (const auto& t : q.types) filter += element("eventTypeId", t);
    if (q.filter_max_count > 0) filter += element("maxCount", std::to_string(q.filter_max_count));
    filter += "</filter>";

    auto doc = call("CreateCollectorForEvents", "<CreateCollectorForEvents xmlns=\"urn:vim25\">" +
                                                    moref_xml("_this", sc.event_manager) + filter +
                                                    "</CreateCollectorForEvents>");
    const auto rv = child(doc->response, "returnval");
    const MoRef collector{rv.attribute("type").value(), rv.text().get()};
    doc.reset();
    if (collector.empty()) throw ProtocolError("CreateCollectorForEvents: no collector in the answer");

    std::vector<VmEvent> events;
    try {
      // A new collector stands before its latest page; read from the oldest matching event.
      call("RewindCollector", "<RewindCollector xmlns=\"urn:vim25\">" + moref_xml("_this", collector) + "</RewindCollector>");
      for (;;) {
        doc = call("ReadNextEvents", "<ReadNextEvents xmlns=\"urn:vim25\">" + moref_xml("_this", collector) +
                                         element("maxCount", std::to_string(q.page_size)) + "</ReadNextEvents>");
        auto page = detail::parse_events(doc->response);
        doc.reset();
        if (page.empty()) break;
        std::move(page.begin(), page.end(), std::back_inserter(events));
      }
    } catch (const NotAuthenticatedError&) {
      throw;
    } catch (const VsphereError&) {
      destroy_collector(collector);
      throw;
    }
    destroy_collector(collector);

    std::sort(events.begin(), events.end(), [](const VmEvent& a, const VmEvent& b) { return a.key < b.key; });
    events.erase(std::unique(events.begin(), events.end(), [](const VmEvent& a, const VmEvent& b) { return a.key == b.key; }),
                 events.end());
    // Filter again here, at the precision sent: some servers (govmomi's simulator) ignore the time range.
    const auto begin = q.begin ? std::optional(std::chrono::floor<std::chrono::seconds>(*q.begin)) : std::nullopt;
    const auto end = q.end ? std::optional(std::chrono::floor<std::chrono::seconds>(*q.end) + std::chrono::seconds(1))
                           : std::nullopt;
    std::erase_if(events, [&](const VmEvent& e) {
      return e.key <= q.after_key || (begin && e.created_time < *begin) || (end && e.created_time >= *end);
    });
    return events;
  }

  void destroy_collector(const MoRef& collector) {
    if (!transport.connected()) return;
    try {
      call("DestroyCollector", "<DestroyCollector xmlns=\"urn:vim25\">" + moref_xml("_this", collector) + "</DestroyCollector>");
    } catch (const VsphereError& e) {
      core::log_warn("cannot destroy an event collector", {{"vcenter", opt.label}, {"error", e.what()}});
    }
  }
};

VcenterClient::VcenterClient(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

VcenterClient::~VcenterClient() {
  if (!impl_->logged_in || !impl_->transport.connected()) return;
  try {
    impl_->logout();
  } catch (const VsphereError& e) {
    core::log_warn("logout from vCenter failed", {{"vcenter", impl_->opt.label}, {"error", e.what()}});
  }
}

const ClientOptions& VcenterClient::options() const { return impl_->opt; }
const std::string& VcenterClient::label() const { return impl_->opt.label; }

void VcenterClient::login() {
  impl_->service_content();
  if (!impl_->logged_in) impl_->login();
}

void VcenterClient::logout() { impl_->logout(); }

const About& VcenterClient::about() { return impl_->service_content().about; }

std::vector<ManagedObject> VcenterClient::retrieve_objects(const std::vector<PropertySpec>& specs) {
  return impl_->with_session([&] { return impl_->retrieve_objects(specs); });
}

Inventory VcenterClient::retrieve_inventory(int tenant_folder_level) {
  auto objects = retrieve_objects(inventory_property_specs());
  return resolve_inventory(objects, ResolveOptions{impl_->opt.label, about().instance_uuid, tenant_folder_level});
}

std::vector<VmEvent> VcenterClient::read_events(const EventQuery& query) {
  return impl_->with_session([&] { return impl_->read_events(query); });
}

}  // namespace vctp::vsphere
