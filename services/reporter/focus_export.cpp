#include "focus_export.hpp"

#include <cstdio>
#include <map>
#include <optional>

#include "vctp/core/time_format.hpp"

namespace vctp::reporter {
namespace {

enum FocusColumn {
  kBilledCost,
  kBillingAccountId,
  kBillingAccountName,
  kBillingCurrency,
  kBillingPeriodEnd,
  kBillingPeriodStart,
  kChargeCategory,
  kChargeClass,
  kChargeDescription,
  kChargeFrequency,
  kChargePeriodEnd,
  kChargePeriodStart,
  kConsumedQuantity,
  kConsumedUnit,
  kContractedCost,
  kContractedUnitPrice,
  kEffectiveCost,
  kInvoiceIssuerName,
  kListCost,
  kListUnitPrice,
  kPricingQuantity,
  kPricingUnit,
  kProviderName,
  kPublisherName,
  kResourceId,
  kResourceName,
  kResourceType,
  kServiceCategory,
  kServiceName,
  kSkuId,
  kSubAccountId,
  kSubAccountName,
  kXVcenter,
  kXCluster,
  kXResourcePool,
  kXTenant,
  kColumnCount,
};

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string decimal(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

/// One charge: a quantity of one priced unit of one resource.
struct Charge {
  std::string account_id;
  std::string account_name;
  std::string sub_account;
  std::string resource_id;
  std::string resource_name;
  std::string resource_type;
  std::string service_category;
  std::string service_name;
  std::string sku;
  std::string description;
  std::string unit;
  double quantity = 0;
  double unit_price = 0;
  std::string vcenter, cluster, pool, tenant;
};

/// BillingAccountId of each vCenter: its UUID (stable across renames), the same on VM and node
/// rows; its name only when no row of it has a UUID.
class BillingAccounts {
 public:
  explicit BillingAccounts(const MonthlyReportData& data) {
    for (const auto& vm : data.vms) learn(vm.vcenter, vm.vcenter_uuid);
    for (const auto& n : data.node_clusters) learn(n.vcenter, n.vcenter_uuid);
  }
  std::string id(const std::string& vcenter, const std::string& vcenter_uuid) const {
    if (!vcenter_uuid.empty()) return vcenter_uuid;
    const auto it = uuid_of_.find(vcenter);
    return it != uuid_of_.end() ? it->second : vcenter;
  }

 private:
  void learn(const std::string& vcenter, const std::string& vcenter_uuid) {
    if (!vcenter_uuid.empty()) uuid_of_.emplace(vcenter, vcenter_uuid);
  }
  std::map<std::string, std::string> uuid_of_;
};

}  // namespace

const std::vector<std::string>& focus_columns() {
  static const std::vector<std::string> kColumns{
      "BilledCost",         "BillingAccountId",  "BillingAccountName", "BillingCurrency",   "BillingPeriodEnd",
      "BillingPeriodStart", "ChargeCategory",    "ChargeClass",        "ChargeDescription", "ChargeFrequency",
      "ChargePeriodEnd",    "ChargePeriodStart", "ConsumedQuantity",   "ConsumedUnit",      "ContractedCost",
      "ContractedUnitPrice", "EffectiveCost",    "InvoiceIssuerName",  "ListCost",          "ListUnitPrice",
      "PricingQuantity",    "PricingUnit",       "ProviderName",       "PublisherName",     "ResourceId",
      "ResourceName",       "ResourceType",      "ServiceCategory",    "ServiceName",       "SkuId",
      "SubAccountId",       "SubAccountName",    "x_VCenter",          "x_Cluster",         "x_ResourcePool",
      "x_Tenant"};
  return kColumns;
}

namespace {

/// What every row of one export shares: the currency, the billing period and the parties.
struct FocusContext {
  std::string currency;
  std::string period_start;
  std::string period_end;
  const FocusParties& parties;
};

/// The FOCUS fields of one charge, in the order of focus_columns().
std::vector<std::string> focus_row(const Charge& c, const FocusContext& ctx) {
  const double cost = c.quantity * c.unit_price;
  std::vector<std::string> f(kColumnCount);
  f[kBilledCost] = decimal(cost);
  f[kBillingAccountId] = c.account_id;
  f[kBillingAccountName] = c.account_name;
  f[kBillingCurrency] = ctx.currency;
  f[kBillingPeriodEnd] = ctx.period_end;
  f[kBillingPeriodStart] = ctx.period_start;
  f[kChargeCategory] = "Usage";
  f[kChargeClass] = "";  // null: not a correction
  f[kChargeDescription] = c.description;
  f[kChargeFrequency] = "Usage-Based";
  f[kChargePeriodEnd] = ctx.period_end;
  f[kChargePeriodStart] = ctx.period_start;
  f[kConsumedQuantity] = decimal(c.quantity);
  f[kConsumedUnit] = c.unit;
  f[kContractedCost] = decimal(cost);
  f[kContractedUnitPrice] = decimal(c.unit_price);
  f[kEffectiveCost] = decimal(cost);
  f[kInvoiceIssuerName] = ctx.parties.invoice_issuer;
  f[kListCost] = decimal(cost);
  f[kListUnitPrice] = decimal(c.unit_price);
  f[kPricingQuantity] = decimal(c.quantity);
  f[kPricingUnit] = c.unit;
  f[kProviderName] = ctx.parties.provider;
  f[kPublisherName] = ctx.parties.publisher;
  f[kResourceId] = c.resource_id;
  f[kResourceName] = c.resource_name;
  f[kResourceType] = c.resource_type;
  f[kServiceCategory] = c.service_category;
  f[kServiceName] = c.service_name;
  f[kSkuId] = c.sku;
  f[kSubAccountId] = c.sub_account;
  f[kSubAccountName] = c.sub_account;
  f[kXVcenter] = c.vcenter;
  f[kXCluster] = c.cluster;
  f[kXResourcePool] = c.pool;
  f[kXTenant] = c.tenant;
  return f;
}

void write_csv_line(std::ostream& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) out << (i ? "," : "") << csv_field(fields[i]);
  out << "\r\n";
}

/// The three charges of one charged VM: vCPU-hours, RAM GB-hours and disk GB-months.
std::vector<Charge> vm_charges(const PricedSummaryVm& p, const ChargePolicy& policy, const BillingAccounts& accounts,
                               double days_in_month) {
  const SummaryVm& vm = *p.vm;
  const core::Rates r = policy.rates ? policy.rates->effective(vm.tenant, vm.resource_pool) : core::Rates{};
  Charge c;
  c.account_id = accounts.id(vm.vcenter, vm.vcenter_uuid);
  c.account_name = vm.vcenter;
  c.sub_account = vm.tenant;
  c.resource_id = vm.instance_uuid;
  c.resource_name = vm.name;
  c.resource_type = "Virtual Machine";
  c.service_name = "vSphere Virtual Machines";
  c.vcenter = vm.vcenter;
  c.cluster = vm.cluster;
  c.pool = vm.resource_pool;
  c.tenant = vm.tenant;

  // One charge per metered resource: category, SKU, description, unit, quantity, price.
  struct Meter {
    const char* category;
    const char* sku;
    const char* allocated;
    const char* unit;
    double quantity;
    std::optional<double> unit_price;
  };
  const Meter meters[] = {
      {"Compute", "vcpu-hour", "vCPU allocated", "vCPU-Hours", p.usage.vcpu_hours, r.vcpu_hour},
      {"Compute", "ram-gb-hour", "RAM allocated", "GB-Hours", p.usage.ram_gb_hours, r.ram_gb_hour},
      {"Storage", "disk-gb-month", "Disk provisioned", "GB-Months", p.usage.disk_gb_days / days_in_month,
       r.disk_gb_month},
  };
  std::vector<Charge> charges;
  for (const Meter& m : meters) {
    c.service_category = m.category;
    c.sku = m.sku;
    c.description = std::string(m.allocated) + " to VM " + vm.name;
    c.unit = m.unit;
    c.quantity = m.quantity;
    c.unit_price = m.unit_price.value_or(0);
    charges.push_back(c);
  }
  return charges;
}

/// The node-hours charge of one node-charge cluster.
Charge node_charge(const NodeChargeCluster& n, const ChargePolicy& policy, const BillingAccounts& accounts) {
  Charge c;
  c.account_id = accounts.id(n.vcenter, n.vcenter_uuid);
  c.account_name = n.vcenter;
  c.resource_id = n.vcenter + "/" + n.cluster;
  c.resource_name = n.cluster;
  c.resource_type = "Cluster";
  c.service_category = "Compute";
  c.service_name = "vSphere Dedicated Clusters";
  c.sku = "node-hour";
  c.description = "Hosts of node-charge cluster " + n.cluster;
  c.unit = "Node-Hours";
  c.quantity = n.node_hours;
  c.unit_price = policy.rates ? policy.rates->node_hour : 0.0;
  c.vcenter = n.vcenter;
  c.cluster = n.cluster;
  return c;
}

}  // namespace

std::size_t write_focus_csv(std::ostream& out, const MonthlyReportData& data, const ChargePolicy& policy,
                            const FocusParties& parties) {
  write_csv_line(out, focus_columns());
  const FocusContext ctx{
      .currency = policy.rates && !policy.rates->currency.empty() ? policy.rates->currency : "XXX",
      .period_start = core::format_iso8601(data.period.start()),
      .period_end = core::format_iso8601(data.period.end()),
      .parties = parties,
  };
  const BillingAccounts accounts(data);
  const double days_in_month = data.period.days_in_month();
  std::size_t rows = 0;
  const auto emit = [&](const Charge& c) {
    write_csv_line(out, focus_row(c, ctx));
    ++rows;
  };
  for (const auto& p : price_summary(data.vms, data.period, policy)) {
    if (!p.charged) continue;
    for (const Charge& c : vm_charges(p, policy, accounts, days_in_month)) emit(c);
  }
  for (const auto& n : data.node_clusters) emit(node_charge(n, policy, accounts));
  return rows;
}

}  // namespace vctp::reporter
