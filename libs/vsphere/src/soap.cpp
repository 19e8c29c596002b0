#include "soap.hpp"

#include <cstring>

#include "vctp/core/time_format.hpp"
#include "vctp/vsphere/errors.hpp"

namespace vctp::vsphere::detail {

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string envelope(std::string_view body) {
  std::string out;
  out.reserve(body.size() + 400);
  out +=
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
      "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
      " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
      " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>";
  out += body;
  out += "</soapenv:Body></soapenv:Envelope>";
  return out;
}

std::string moref_xml(std::string_view element, const MoRef& ref) {
  std::string out = "<";
  out += element;
  out += " type=\"" + xml_escape(ref.type) + "\">" + xml_escape(ref.value) + "</";
  out += element;
  out += ">";
  return out;
}

std::string_view local_name(const pugi::xml_node& node) {
  std::string_view name = node.name();
  if (const auto colon = name.find(':'); colon != std::string_view::npos) name.remove_prefix(colon + 1);
  return name;
}

pugi::xml_node child(const pugi::xml_node& node, std::string_view name) {
  for (auto c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && local_name(c) == name) return c;
  }
  return {};
}

std::string xsi_type(const pugi::xml_node& node) {
  for (auto a = node.first_attribute(); a; a = a.next_attribute()) {
    std::string_view name = a.name();
    const auto colon = name.find(':');
    if (colon == std::string_view::npos || name.substr(colon + 1) != "type") continue;
    std::string_view value = a.value();
    if (const auto c = value.find(':'); c != std::string_view::npos) value.remove_prefix(c + 1);
    return std::string(value);
  }
  return {};
}

namespace {

[[noreturn]] void throw_fault(const pugi::xml_node& fault, std::string_view method) {
  std::string message = child(fault, "faultstring").text().get();
  std::string type;
  if (const auto detail = child(fault, "detail")) {
    for (auto d = detail.first_child(); d; d = d.next_sibling()) {
      if (d.type() != pugi::node_element) continue;
      type = xsi_type(d);
      if (type.empty()) {
        type = std::string(local_name(d));
        if (type.size() > 5 && type.compare(type.size() - 5, 5, "Fault") == 0) type.resize(type.size() - 5);
      }
      break;
    }
  }
  const std::string what = std::string(method) + ": " + (type.empty() ? "SOAP fault" : type) +
                           (message.empty() ? std::string() : ": " + message);
  if (type == "InvalidLogin") throw InvalidLoginError(what + " (check vcenter_username and vcenter_password)");
  if (type == "NotAuthenticated") throw NotAuthenticatedError(what);
  throw SoapFaultError(type.empty() ? "Unknown" : type, what);
}

}  // namespace

std::unique_ptr<SoapDocument> parse_soap(std::string text, int http_status, std::string_view method) {
  auto out = std::make_unique<SoapDocument>();
  out->text = std::move(text);
  const auto result = out->doc.load_buffer_inplace(out->text.data(), out->text.size(), pugi::parse_default,
                                                   pugi::encoding_utf8);
  const std::string prefix(method);
  if (!result) {
    if (http_status != 200) {
      throw ProtocolError(prefix + ": HTTP " + std::to_string(http_status) + " without a SOAP answer",
                          http_status >= 500 || http_status == 429);
    }
    throw ProtocolError(prefix + ": malformed XML in the answer (" + result.description() + " at byte " +
                        std::to_string(result.offset) + ")");
  }
  const auto env = out->doc.document_element();
  const auto body = child(env, "Body");
  if (local_name(env) != "Envelope" || !body) {
    throw ProtocolError(prefix + ": the answer (HTTP " + std::to_string(http_status) + ") is not a SOAP envelope",
                        http_status >= 500);
  }
  for (auto c = body.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    if (local_name(c) == "Fault") throw_fault(c, method);
    out->response = c;
    break;
  }
  if (http_status != 200) {
    throw ProtocolError(prefix + ": HTTP " + std::to_string(http_status), http_status >= 500 || http_status == 429);
  }
  if (!out->response) throw ProtocolError(prefix + ": empty SOAP body");
  return out;
}

namespace {

void flatten(const pugi::xml_node& node, const std::string& path, ManagedObject& object) {
  bool has_elements = false;
  for (auto c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    has_elements = true;
    flatten(c, path + "." + std::string(local_name(c)), object);
  }
  if (has_elements) return;
  const char* text = node.text().get();
  if (const auto type = node.attribute("type")) object.refs.emplace_back(path, MoRef{type.value(), text});
  object.values.emplace_back(path, text);
}

MoRef moref_of(const pugi::xml_node& node) { return MoRef{node.attribute("type").value(), node.text().get()}; }

}  // namespace

void parse_retrieve_result(const pugi::xml_node& returnval, PropertiesPage& page) {
  page.token.clear();
  if (!returnval) return;
  for (auto c = returnval.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    const auto name = local_name(c);
    if (name == "token") {
      page.token = c.text().get();
      continue;
    }
    if (name != "objects") continue;
    ManagedObject object;
    for (auto p = c.first_child(); p; p = p.next_sibling()) {
      if (p.type() != pugi::node_element) continue;
      const auto pname = local_name(p);
      if (pname == "obj") {
        object.ref = moref_of(p);
      } else if (pname == "propSet") {
        const std::string path = child(p, "name").text().get();
        const auto val = child(p, "val");
        bool has_elements = false;
        for (auto v = val.first_child(); v; v = v.next_sibling()) {
          if (v.type() != pugi::node_element) continue;
          has_elements = true;
          flatten(v, path + "." + std::string(local_name(v)), object);
        }
        if (!has_elements) {
          const char* text = val.text().get();
          if (const auto type = val.attribute("type")) object.refs.emplace_back(path, MoRef{type.value(), text});
          object.values.emplace_back(path, text);
        }
      } else if (pname == "missingSet") {
        const std::string path = child(p, "path").text().get();
        const auto inner = child(child(p, "fault"), "fault");
        const std::string type = xsi_type(inner);
        if (type == "NotAuthenticated") {
          throw NotAuthenticatedError("RetrievePropertiesEx: NotAuthenticated reading " + path + " of " +
                                      object.ref.value + " (the session is not valid)");
        }
        object.missing.emplace_back(path, type);
      }
    }
    page.objects.push_back(std::move(object));
  }
}

std::vector<VmEvent> parse_events(const pugi::xml_node& response) {
  std::vector<VmEvent> out;
  for (auto e = response.first_child(); e; e = e.next_sibling()) {
    if (e.type() != pugi::node_element || local_name(e) != "returnval") continue;
    VmEvent ev;
    ev.type = xsi_type(e);
    ev.key = child(e, "key").text().as_llong();
    if (auto t = core::parse_iso8601(child(e, "createdTime").text().get())) ev.created_time = *t;
    const auto vm = child(e, "vm");
    ev.vm_name = child(vm, "name").text().get();
    ev.vm_id = child(vm, "vm").text().get();
    ev.datacenter = child(child(e, "datacenter"), "name").text().get();
    ev.host = child(child(e, "host"), "name").text().get();
    ev.user_name = child(e, "userName").text().get();
    out.push_back(std::move(ev));
  }
  return out;
}

ServiceContent parse_service_content(const pugi::xml_node& response) {
  const auto rv = child(response, "returnval");
  ServiceContent sc;
  sc.root_folder = moref_of(child(rv, "rootFolder"));
  sc.property_collector = moref_of(child(rv, "propertyCollector"));
  sc.view_manager = moref_of(child(rv, "viewManager"));
  sc.session_manager = moref_of(child(rv, "sessionManager"));
  sc.event_manager = moref_of(child(rv, "eventManager"));
  const auto about = child(rv, "about");
  sc.about.name = child(about, "name").text().get();
  sc.about.full_name = child(about, "fullName").text().get();
  sc.about.version = child(about, "version").text().get();
  sc.about.api_version = child(about, "apiVersion").text().get();
  sc.about.instance_uuid = child(about, "instanceUuid").text().get();
  sc.about.api_type = child(about, "apiType").text().get();
  if (sc.root_folder.empty() || sc.property_collector.empty() || sc.session_manager.empty()) {
    throw ProtocolError("RetrieveServiceContent: the answer lacks rootFolder, propertyCollector or sessionManager");
  }
  return sc;
}

}  // namespace vctp::vsphere::detail
