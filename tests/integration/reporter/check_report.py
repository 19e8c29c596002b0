#!/usr/bin/python3
"""Checks a vctp report against the database it was made from.

usage: check_report.py KIND XLSX DB [--no-rates] [--focus CSV]

Opens the workbook with openpyxl (formulas and cached values), recomputes every total from the
SQLite database with the chargeback rules of the test settings (report_seed.cpp) and exits 1
listing every difference. Node-hours are the aggregator's (summary_daily_nodes_YYYYMMDD,
summary_monthly_nodes_YYYYMM), never recounted from host snapshots.
"""
import argparse
import csv
import datetime
import fnmatch
import math
import sqlite3
import sys

import openpyxl

RATES = {
    "vcpu_hour": 0.01, "ram_gb_hour": 0.005, "disk_gb_month": 0.1, "node_hour": 2.5,
    "tenants": {"finance": {"vcpu_hour": 0.02}},
    "pools": {"gold": {"ram_gb_hour": 0.008}},
}
FILTERED = ["scratch*"]
ACTIVE_ACTIVE = ["aa-*"]
NODE_CLUSTERS = ["dedicated-*"]
DAYS_IN_MONTH = 30  # November 2026

FOCUS_REQUIRED = [
    "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd",
    "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargePeriodEnd",
    "ChargePeriodStart", "ContractedCost", "EffectiveCost", "InvoiceIssuerName", "ListCost",
    "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "ServiceCategory", "ServiceName",
]

errors = []


def fail(msg):
    errors.append(msg)


def close(a, b, what):
    if a is None or b is None or not math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6):
        fail(f"{what}: report {a!r} != expected {b!r}")


def matches(patterns, text):
    return any(fnmatch.fnmatchcase((text or "").lower(), p.lower()) for p in patterns)


def effective(tenant, pool):
    r = {k: RATES[k] for k in ("vcpu_hour", "ram_gb_hour", "disk_gb_month", "node_hour")}
    r.update(RATES["tenants"].get(tenant, {}))
    r.update(RATES["pools"].get(pool, {}))
    return r


def charged(name, template, srm, node_charge=False):
    if template or node_charge:
        return False
    return matches(ACTIVE_ACTIVE, name) if srm else True


def sheet_rows(ws):
    """Header, data rows (dicts) and the totals row (dict or None) of a sheet."""
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    data, totals = [], None
    for row in rows[1:]:
        if all(v is None for v in row):
            continue
        d = dict(zip(header, row))
        if row[0] == "Total":
            totals = d
        else:
            data.append(d)
    return header, data, totals


def check_layout(wb_f, name, expect_totals=True):
    ws = wb_f[name]
    if ws.freeze_panes != "A2":
        fail(f"{name}: header row not frozen ({ws.freeze_panes})")
    if not ws.auto_filter.ref or not ws.auto_filter.ref.startswith("A1:"):
        fail(f"{name}: no autofilter ({ws.auto_filter.ref})")
    for cell in ws[1]:
        if cell.value is not None and not cell.font.b:
            fail(f"{name}: header {cell.value} not bold")
    if expect_totals:
        last = ws.max_row
        if ws.cell(last, 1).value != "Total":
            fail(f"{name}: last row is not the totals row")
        formulas = [c.value for c in ws[last] if isinstance(c.value, str) and c.value.startswith("=")]
        if not formulas or not all(f.startswith("=SUBTOTAL(") for f in formulas):
            fail(f"{name}: totals are not SUBTOTAL formulas: {formulas}")


def check_totals(name, header, data, totals):
    """Every SUBTOTAL's cached value equals the sum of its column."""
    if totals is None:
        fail(f"{name}: no totals row")
        return
    for col in header:
        v = totals.get(col)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            if col == "VM":
                close(v, sum(1 for d in data if d.get("VM")), f"{name} total count {col}")
            else:
                close(v, sum(d[col] or 0 for d in data), f"{name} total {col}")


def group_sum(rows, key, value):
    out = {}
    for r in rows:
        k = key(r)
        out[k] = out.get(k, 0) + value(r)
    return out


def check_groups(wb, sheet, key_cols, rows, key, measures):
    header, data, totals = sheet_rows(wb[sheet])
    check_totals(sheet, header, data, totals)
    got = {tuple(d[k] or "" for k in key_cols): d for d in data}
    for measure, fn in measures.items():
        expected = group_sum(rows, key, fn)
        if set(expected) != set(got):
            fail(f"{sheet}: groups {sorted(got)} != {sorted(expected)}")
            return
        for k, v in expected.items():
            close(got[k][measure], v, f"{sheet} {k} {measure}")


def hourly(wb, db, priced):
    table = "snap_hourly_2026112413"
    rows = [r for r in db.execute(f"SELECT * FROM {table}") if not matches(FILTERED, r["tenant"])]
    if not rows:
        fail("no rows in the database")
    expected_sheets = ["VMs", "By vCenter", "By cluster", "By tenant", "By pool"]
    if wb.sheetnames != expected_sheets:
        fail(f"sheets {wb.sheetnames} != {expected_sheets}")
        return
    header, data, totals = sheet_rows(wb["VMs"])
    for col in ["vCenter", "Cluster", "Resource pool", "Tenant", "VM", "Instance UUID", "Power state", "vCPUs",
                "RAM GB", "Disk GB", "Template", "SRM placeholder", "Node charge", "Created (UTC)", "Charged"]:
        if col not in header:
            fail(f"VMs: no column {col}")
    if len(data) != len(rows):
        fail(f"VMs: {len(data)} rows, database has {len(rows)}")
    check_totals("VMs", header, data, totals)
    close(totals["vCPUs"], sum(r["vcpu_count"] for r in rows), "VMs total vCPUs vs database")
    close(totals["RAM GB"], sum(r["ram_mb"] for r in rows) / 1024, "VMs total RAM vs database")
    close(totals["Disk GB"], sum(r["disk_gb"] for r in rows), "VMs total disk vs database")
    if not isinstance(data[0]["Created (UTC)"], datetime.datetime):
        fail("VMs: creation time is not a date")
    by_uuid = {r["instance_uuid"]: r for r in rows}
    node_vms = 0
    for d in data:
        r = by_uuid[d["Instance UUID"]]
        # An hourly snapshot has no node_charge column: the settings' node_charge_clusters decide.
        node_charge = matches(NODE_CLUSTERS, r["cluster"])
        node_vms += node_charge
        if "Node charge" in header and d["Node charge"] != node_charge:
            fail(f"VMs {r['name']}: node charge {d.get('Node charge')} != {node_charge}")
        is_charged = charged(r["name"], r["is_template"], r["srm_placeholder"], node_charge)
        if d["Charged"] != is_charged:
            fail(f"VMs {r['name']}: charged {d['Charged']} != {is_charged}")
        if priced:
            rate = effective(r["tenant"], r["resource_pool"])
            k = 1 if is_charged else 0
            close(d["vCPU cost (hour)"], k * r["vcpu_count"] * rate["vcpu_hour"], f"{r['name']} vCPU cost")
            close(d["RAM cost (hour)"], k * r["ram_mb"] / 1024 * rate["ram_gb_hour"], f"{r['name']} RAM cost")
            close(d["Disk cost (hour)"], k * r["disk_gb"] / 24 / DAYS_IN_MONTH * rate["disk_gb_month"],
                  f"{r['name']} disk cost")
    if not node_vms:
        fail("no VM of a node-charge cluster in the snapshot: the node-charge rule goes untested")
    measures = {"VMs": lambda r: 1, "vCPUs": lambda r: r["vcpu_count"], "RAM GB": lambda r: r["ram_mb"] / 1024,
                "Disk GB": lambda r: r["disk_gb"],
                "Powered on": lambda r: 1 if r["power_state"] == "poweredOn" else 0}
    check_groups(wb, "By vCenter", ["vCenter"], rows, lambda r: (r["vcenter"],), measures)
    check_groups(wb, "By cluster", ["vCenter", "Cluster"], rows, lambda r: (r["vcenter"], r["cluster"]), measures)
    check_groups(wb, "By tenant", ["Tenant"], rows, lambda r: (r["tenant"] or "",), measures)
    check_groups(wb, "By pool", ["Resource pool"], rows, lambda r: (r["resource_pool"] or "",), measures)


def usage(r, hours):
    present = r["presence"] * hours
    return {
        "VM-days": present / 24,
        "vCPU-hours": r["avg_vcpu"] * present,
        "GB-RAM-hours": r["avg_ram_gb"] * present,
        "GB-disk-days": r["avg_disk_gb"] * present / 24,
        "Powered-on hours": r["powered_on_share"] * present,
    }


def vm_cost(r, u):
    if not charged(r["name"], r["is_template"], r["srm_placeholder"], r["node_charge"]):
        return 0.0, 0.0, 0.0
    rate = effective(r["tenant"], r["resource_pool"])
    return (u["vCPU-hours"] * rate["vcpu_hour"], u["GB-RAM-hours"] * rate["ram_gb_hour"],
            u["GB-disk-days"] / DAYS_IN_MONTH * rate["disk_gb_month"])


def node_hours(db, table):
    """The aggregator's node-hours per (vCenter, cluster), from its companion table."""
    if not db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone():
        fail(f"no {table} in the database")
        return {}
    total = {}
    for r in db.execute(f"SELECT vcenter, cluster, node_hours FROM {table}"):
        total[(r["vcenter"], r["cluster"])] = total.get((r["vcenter"], r["cluster"]), 0) + r["node_hours"]
    return total


def summary(wb, wb_f, db, priced, kind):
    monthly = kind == "monthly"
    table = "summary_monthly_202611" if monthly else "summary_daily_20261124"
    hours = 720 if monthly else 24
    rows = [r for r in db.execute(f"SELECT * FROM {table}") if not matches(FILTERED, r["tenant"])]
    expected_sheets = ["Summary", "VMs", "By tenant", "By pool", "Node charge"] + (["Daily trend"] if monthly else [])
    if wb.sheetnames != expected_sheets:
        fail(f"sheets {wb.sheetnames} != {expected_sheets}")
        return
    header, data, totals = sheet_rows(wb["VMs"])
    if len(data) != len(rows):
        fail(f"VMs: {len(data)} rows, database has {len(rows)}")
    check_totals("VMs", header, data, totals)
    for col in ["Presence", "Avg vCPU", "VM-days", "vCPU-hours", "GB-RAM-hours", "GB-disk-days", "Powered-on hours"]:
        if col not in header:
            fail(f"VMs: no column {col}")
    if monthly and "Days present" not in header:
        fail("VMs: no column Days present")
    by_uuid = {(r["vcenter"], r["instance_uuid"]): r for r in rows}
    total_cost = 0.0
    tenant_cost = {}
    for d in data:
        r = by_uuid[(d["vCenter"], d["Instance UUID"])]
        u = usage(r, hours)
        for k, v in u.items():
            close(d[k], v, f"VMs {r['name']} {k}")
        if priced:
            c = vm_cost(r, u)
            close(d["vCPU cost"], c[0], f"{r['name']} vCPU cost")
            close(d["RAM cost"], c[1], f"{r['name']} RAM cost")
            close(d["Disk cost"], c[2], f"{r['name']} disk cost")
            close(d["Cost"], sum(c), f"{r['name']} cost")
            total_cost += sum(c)
            tenant_cost[r["tenant"] or ""] = tenant_cost.get(r["tenant"] or "", 0) + sum(c)
    for k in ["VM-days", "vCPU-hours", "GB-RAM-hours", "GB-disk-days", "Powered-on hours"]:
        close(totals[k], sum(usage(r, hours)[k] for r in rows), f"VMs total {k} vs database")
    measures = {k: (lambda key: lambda r: usage(r, hours)[key])(k)
                for k in ["VM-days", "vCPU-hours", "GB-RAM-hours", "GB-disk-days", "Powered-on hours"]}
    measures["VMs"] = lambda r: 1
    if priced:
        measures["Cost"] = lambda r: sum(vm_cost(r, usage(r, hours)))
    check_groups(wb, "By tenant", ["Tenant"], rows, lambda r: (r["tenant"] or "",), measures)
    check_groups(wb, "By pool", ["Resource pool"], rows, lambda r: (r["resource_pool"] or "",), measures)

    nodes = node_hours(db, "summary_monthly_nodes_202611" if monthly else "summary_daily_nodes_20261124")
    if not nodes:
        fail("no node-charge cluster in the aggregator's node-hours: node charges go untested")
    nh, ndata, ntotals = sheet_rows(wb["Node charge"])
    check_totals("Node charge", nh, ndata, ntotals)
    got = {(d["vCenter"], d["Cluster"]): d for d in ndata}
    if set(got) != set(nodes):
        fail(f"Node charge: clusters {sorted(got)} != {sorted(nodes)}")
    for k, v in nodes.items():
        if k in got:
            close(got[k]["Node-hours"], v, f"node-hours {k}")
            if priced:
                close(got[k]["Node cost"], v * RATES["node_hour"], f"node cost {k}")

    sh, sdata, _ = sheet_rows(wb["Summary"])
    if len(sdata) != 1:
        fail(f"Summary: {len(sdata)} lines")
        return
    s = sdata[0]
    day_like = "2026-11-%" if monthly else "2026-11-24%"
    seen = db.execute("SELECT COUNT(*) FROM snapshot_registry WHERE kind='hourly' AND status='ok' "
                      "AND period_start LIKE ?", (day_like,)).fetchone()[0]
    close(s["Snapshots seen"], seen, "Summary snapshots seen")
    close(s["Snapshots expected"], 2 * hours, "Summary snapshots expected")
    close(s["Completeness"], seen / (2 * hours), "Summary completeness")
    close(s["VMs"], len(rows), "Summary VMs")
    close(s["vCPU-hours"], sum(usage(r, hours)["vCPU-hours"] for r in rows), "Summary vCPU-hours")
    close(s["Node-hours"], sum(nodes.values()), "Summary node-hours")
    if not isinstance(s["Generated (UTC)"], datetime.datetime):
        fail("Summary: generated time is not a date")
    if priced:
        close(s["VM cost"], total_cost, "Summary VM cost")
        close(s["Total cost"], total_cost + sum(nodes.values()) * RATES["node_hour"], "Summary total cost")
    elif "Cost" in header:
        fail("cost columns without a rate card")

    if monthly:
        th, tdata, _ = sheet_rows(wb["Daily trend"])
        days = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                         "AND name LIKE 'summary_daily_202611%' ORDER BY name")]
        if len(tdata) != len(days):
            fail(f"Daily trend: {len(tdata)} days, database has {len(days)}")
        for d, t in zip(tdata, days):
            if not isinstance(d["Day"], datetime.datetime):
                fail("Daily trend: day is not a date")
            elif d["Day"].strftime("%Y%m%d") != t[-8:]:
                fail(f"Daily trend: {d['Day']} is not {t}")
            vms = db.execute(f"SELECT SUM(presence), SUM(avg_vcpu*presence), SUM(avg_ram_gb*presence) FROM {t}").fetchone()
            close(d["VMs"], vms[0], f"trend VMs {t}")
            close(d["vCPUs"], vms[1], f"trend vCPUs {t}")
            close(d["RAM GB"], vms[2], f"trend RAM {t}")
        line = [type(c).__name__ for c in wb_f["Daily trend"]._charts]
        if "LineChart" not in line:
            fail(f"Daily trend: no line chart ({line})")
        share = [type(c).__name__ for c in wb_f["By tenant"]._charts]
        if not ({"PieChart", "BarChart"} & set(share)):
            fail(f"By tenant: no share chart ({share})")
    return total_cost + (sum(nodes.values()) * RATES["node_hour"] if priced else 0)


def focus(path, expected_total, priced, accounts):
    """`accounts`: the vcenter_uuid of each vCenter, the BillingAccountId of all its rows."""
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        cols = reader.fieldnames or []
        rows = list(reader)
    for c in FOCUS_REQUIRED:
        if c not in cols:
            fail(f"FOCUS: no column {c}")
    for c in cols:
        if c[0].islower() and not c.startswith("x_"):
            fail(f"FOCUS: custom column {c} without x_ prefix")
    if not rows:
        fail("FOCUS: no rows")
    total = 0.0
    for r in rows:
        q, p = float(r["PricingQuantity"]), float(r["ListUnitPrice"])
        for c in ("ListCost", "BilledCost", "EffectiveCost", "ContractedCost"):
            close(float(r[c]), q * p, f"FOCUS {r['ResourceName']} {r['PricingUnit']} {c}")
        if r["ChargeCategory"] != "Usage":
            fail(f"FOCUS: ChargeCategory {r['ChargeCategory']}")
        if r["BillingPeriodStart"] != "2026-11-01T00:00:00Z" or r["BillingPeriodEnd"] != "2026-12-01T00:00:00Z":
            fail(f"FOCUS: billing period {r['BillingPeriodStart']}..{r['BillingPeriodEnd']}")
        if r["BillingCurrency"] != ("EUR" if priced else "XXX"):
            fail(f"FOCUS: currency {r['BillingCurrency']}")
        for c in ("ProviderName", "PublisherName", "InvoiceIssuerName", "ServiceName", "ServiceCategory",
                  "BillingAccountId", "PricingUnit", "ChargeDescription"):
            if not r[c]:
                fail(f"FOCUS: empty {c}")
        total += float(r["BilledCost"])
    ids = {}
    for r in rows:
        ids.setdefault(r["x_VCenter"], set()).add(r["BillingAccountId"])
    for vcenter, got in sorted(ids.items()):
        if got != {accounts.get(vcenter)}:
            kinds = sorted({r["ResourceType"] for r in rows if r["x_VCenter"] == vcenter})
            fail(f"FOCUS: BillingAccountId of {vcenter} ({', '.join(kinds)} rows) {sorted(got)} "
                 f"!= its vcenter_uuid {accounts.get(vcenter)!r}")
    close(total, expected_total, "FOCUS total BilledCost vs report")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["hourly", "daily", "monthly"])
    ap.add_argument("xlsx")
    ap.add_argument("db")
    ap.add_argument("--no-rates", action="store_true")
    ap.add_argument("--focus")
    a = ap.parse_args()
    priced = not a.no_rates
    wb = openpyxl.load_workbook(a.xlsx, data_only=True)
    wb_f = openpyxl.load_workbook(a.xlsx)
    db = sqlite3.connect(a.db)
    db.row_factory = sqlite3.Row
    for name in wb_f.sheetnames:
        check_layout(wb_f, name, expect_totals=name not in ("Summary", "Daily trend"))
    if a.kind == "hourly":
        hourly(wb, db, priced)
    else:
        total = summary(wb, wb_f, db, priced, a.kind)
        if a.focus:
            table = "summary_monthly_202611" if a.kind == "monthly" else "summary_daily_20261124"
            accounts = {r[0]: r[1] for r in db.execute(f"SELECT DISTINCT vcenter, vcenter_uuid FROM {table}")}
            focus(a.focus, total or 0.0, priced, accounts)
    if errors:
        print(f"{len(errors)} problem(s):")
        for e in errors[:50]:
            print(" -", e)
        return 1
    print("report ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
