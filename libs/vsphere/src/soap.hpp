#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

#include "vctp/vsphere/client.hpp"
#include "vctp/vsphere/events.hpp"
#include "vctp/vsphere/managed_object.hpp"

namespace vctp::vsphere::detail {

/// `text` with & < > " ' escaped for XML content and attributes.
std::string xml_escape(std::string_view text);

/// A SOAP 1.1 envelope around `body` (elements in urn:vim25).
std::string envelope(std::string_view body);

/// <element type="T">V</element>, escaped.
std::string moref_xml(std::string_view element, const MoRef& ref);

/// The local part of an element's name ("soapenv:Body" -> "Body").
std::string_view local_name(const pugi::xml_node& node);
/// The first child element with this local name (any prefix), or an empty node.
pugi::xml_node child(const pugi::xml_node& node, std::string_view name);
/// The xsi:type of an element (whatever prefix maps to the schema instance), without prefix.
std::string xsi_type(const pugi::xml_node& node);

/// A parsed SOAP answer. `response` is the first element in the Body (e.g. LoginResponse).
struct SoapDocument {
  std::string text;  ///< the DOM points into this text (parsed in place)
  pugi::xml_document doc;
  pugi::xml_node response;
};

/// Parses an HTTP answer into a SOAP document; a SOAP fault is thrown as its typed error
/// (InvalidLoginError, NotAuthenticatedError, SoapFaultError); anything unexpected as ProtocolError.
std::unique_ptr<SoapDocument> parse_soap(std::string text, int http_status, std::string_view method);

/// Objects of one RetrievePropertiesEx / ContinueRetrievePropertiesEx page, and the token of the
/// next page (empty on the last page).
struct PropertiesPage {
  std::vector<ManagedObject> objects;
  std::string token;
};

/// Parses the `returnval` of a RetrieveResult into `page` (appending objects). A missingSet whose
/// fault is NotAuthenticated (an invalid session, as govmomi's simulator reports it) throws
/// NotAuthenticatedError.
void parse_retrieve_result(const pugi::xml_node& returnval, PropertiesPage& page);

/// Parses the events in a ReadNextEvents / QueryEvents response.
std::vector<VmEvent> parse_events(const pugi::xml_node& response);

/// Parses about and the manager references from a RetrieveServiceContent response.
struct ServiceContent {
  MoRef root_folder;
  MoRef property_collector;
  MoRef view_manager;
  MoRef session_manager;
  MoRef event_manager;
  About about;
};
ServiceContent parse_service_content(const pugi::xml_node& response);

}  // namespace vctp::vsphere::detail
