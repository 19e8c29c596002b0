#include "vctp/store/summary_columns.hpp"

#include <string>

#include "vctp/store/errors.hpp"

namespace vctp::store {

namespace {

enum class Level { kBoth, kDailyOnly, kMonthlyOnly };

struct LevelColumn {
  ColumnSpec spec;
  Level level = Level::kBoth;
};

constexpr ColumnType kText = ColumnType::kText;
constexpr ColumnType kInt = ColumnType::kInt;
constexpr ColumnType kReal = ColumnType::kReal;
constexpr ColumnType kBool = ColumnType::kBool;
constexpr ColumnType kTime = ColumnType::kTime;
constexpr bool kNotNull = true;

std::vector<ColumnSpec> at_level(const std::vector<LevelColumn>& all, SnapshotKind kind) {
  if (kind != SnapshotKind::kDaily && kind != SnapshotKind::kMonthly) {
    throw StoreError("summary columns: " + std::string(to_string(kind)) + " is not a summary kind");
  }
  const Level other = kind == SnapshotKind::kDaily ? Level::kMonthlyOnly : Level::kDailyOnly;
  std::vector<ColumnSpec> out;
  for (const auto& c : all) {
    if (c.level != other) out.push_back(c.spec);
  }
  return out;
}

}  // namespace

std::vector<ColumnSpec> summary_columns(SnapshotKind kind) {
  static const std::vector<LevelColumn> all{
      {{"period", kText, kNotNull}},
      {{"vcenter", kText}},
      {{"vcenter_uuid", kText, kNotNull}},
      {{"instance_uuid", kText, kNotNull}},
      {{"vm_id", kText}},
      {{"name", kText}},
      {{"datacenter", kText}},
      {{"cluster", kText}},
      {{"tenant", kText}},
      {{"folder", kText}},
      {{"resource_pool", kText}},
      {{"days_present", kInt, kNotNull}, Level::kMonthlyOnly},
      {{"samples_seen", kInt, kNotNull}},
      {{"samples_expected", kInt, kNotNull}},
      {{"completeness", kReal, kNotNull}, Level::kMonthlyOnly},
      {{"presence", kReal, kNotNull}},
      {{"hours_present", kReal, kNotNull}},
      {{"avg_vcpu", kReal}},
      {{"max_vcpu", kInt}},
      {{"avg_ram_gb", kReal}},
      {{"max_ram_gb", kReal}},
      {{"avg_disk_gb", kReal}},
      {{"max_disk_gb", kReal}},
      {{"powered_on_share", kReal}},
      {{"is_template", kBool, kNotNull}},
      {{"srm_placeholder", kBool, kNotNull}},
      {{"node_charge", kBool, kNotNull}},
      {{"charged", kBool, kNotNull}},
      {{"creation_time", kTime}},
      {{"deletion_time", kTime}},
  };
  return at_level(all, kind);
}

std::vector<ColumnSpec> summary_pool_columns(SnapshotKind kind) {
  static const std::vector<LevelColumn> all{
      {{"period", kText, kNotNull}},
      {{"vcenter_uuid", kText, kNotNull}},
      {{"instance_uuid", kText, kNotNull}},
      {{"resource_pool", kText, kNotNull}},
      {{"samples", kInt, kNotNull}, Level::kDailyOnly},
      {{"days", kInt, kNotNull}, Level::kMonthlyOnly},
      {{"share_of_presence", kReal, kNotNull}, Level::kDailyOnly},
      {{"share", kReal, kNotNull}},
      {{"hours", kReal, kNotNull}},
  };
  return at_level(all, kind);
}

std::vector<ColumnSpec> summary_node_columns(SnapshotKind kind) {
  static const std::vector<LevelColumn> all{
      {{"period", kText, kNotNull}},
      {{"vcenter", kText}},
      {{"vcenter_uuid", kText, kNotNull}},
      {{"datacenter", kText}},
      {{"cluster", kText, kNotNull}},
      {{"days", kInt, kNotNull}, Level::kMonthlyOnly},
      {{"hosts", kInt, kNotNull}},
      {{"host_samples", kInt, kNotNull}},
      {{"samples_expected", kInt, kNotNull}},
      {{"node_hours", kReal, kNotNull}},
  };
  return at_level(all, kind);
}

}  // namespace vctp::store
