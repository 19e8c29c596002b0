#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "chargeback.hpp"
#include "report_model.hpp"

namespace vctp::reporter {

/// The FOCUS (FinOps Open Cost and Usage Specification 1.0) columns written, in order: every
/// mandatory column, the conditional ones that apply to VMs, and vctp's own (prefixed `x_`, as
/// the specification requires for custom columns).
const std::vector<std::string>& focus_columns();

/// Who issues the charges, for the Provider/Publisher/InvoiceIssuer columns.
struct FocusParties {
  std::string provider = "vctp private cloud";
  std::string publisher = "VMware vSphere";
  std::string invoice_issuer = "vctp private cloud";
};

/// Writes a FOCUS CSV of a month: for every charged VM one row per priced resource (vCPU-hours,
/// GB-RAM-hours, GB-months of disk), and one row of node-hours per node-charge cluster. Costs are
/// PricingQuantity × unit price; without a rate card they are 0 in currency "XXX" (ISO 4217's
/// "no currency"). BillingAccountId is the vCenter's UUID on every row of that vCenter (its name
/// only if none of its rows has a UUID); BillingAccountName is its name. Returns the number of
/// rows written.
std::size_t write_focus_csv(std::ostream& out, const MonthlyReportData& data, const ChargePolicy& policy,
                            const FocusParties& parties = {});

}  // namespace vctp::reporter
