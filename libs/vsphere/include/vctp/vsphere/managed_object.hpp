#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vctp::vsphere {

/// A managed object reference: its type ("VirtualMachine") and value ("vm-42").
struct MoRef {
  std::string type;
  std::string value;

  bool empty() const { return value.empty(); }
  friend bool operator==(const MoRef&, const MoRef&) = default;
};

/// The properties of one object as RetrievePropertiesEx returned them. Scalar values keep their
/// text; a value with fields is flattened into one entry per field ("config.managedBy" gives
/// "config.managedBy.extensionKey" and "config.managedBy.type"); a managed object reference is
/// kept in `refs` (and its value in `values`). A property the vCenter did not send is absent.
struct ManagedObject {
  MoRef ref;
  std::vector<std::pair<std::string, std::string>> values;
  std::vector<std::pair<std::string, MoRef>> refs;
  /// Property paths the vCenter could not give (missingSet), with their fault type.
  std::vector<std::pair<std::string, std::string>> missing;

  /// The value at `path`, or nullptr when absent.
  const std::string* value(std::string_view path) const;
  /// The reference at `path`, or nullptr when absent.
  const MoRef* ref_at(std::string_view path) const;
};

/// The properties to read for one managed object type (a vim25 PropertySpec).
struct PropertySpec {
  std::string type;
  std::vector<std::string> paths;
};

}  // namespace vctp::vsphere
