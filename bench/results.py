"""Writes bench/RESULTS.md from the figures the areas' run.sh appended during one scripts/bench run.

Inputs (all written by scripts/bench and the areas' scripts, see bench/README.md):
  --results  tab-separated rows: area, figure, vctp, peer or limit, ratio, meaning
  --facts    key=value lines of plain numbers in SI units, for the scale on paper
  --notes    markdown bullets on figures behind their goal or peer
Run with /usr/bin/python3 (standard library only).
"""

import argparse
import datetime
import os
import platform
import subprocess
import sys

AREA_ORDER = ["collector", "storage", "aggregation", "reports", "gateway", "end to end"]

# The estate worked out on paper: 100 vCenters of 10,000 VMs each.
ESTATE_VCENTERS = 100
ESTATE_VMS_PER_VCENTER = 10_000
ESTATE_ROWS_PER_HOUR = ESTATE_VCENTERS * ESTATE_VMS_PER_VCENTER


def run(command):
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (out.stdout + out.stderr).strip()


def first_line(text):
    return text.splitlines()[0] if text else "not found"


def read_rows(path):
    rows, bad = [], []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            fields = line.split("\t")
            if len(fields) != 6:
                bad.append(f"line {number} has {len(fields)} fields, not 6: {line!r}")
                continue
            rows.append(fields)
    return rows, bad


def read_facts(path):
    facts = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            key, sep, value = line.strip().partition("=")
            if not sep:
                continue
            try:
                facts[key.strip()] = float(value)
            except ValueError:
                pass
    return facts


def read_durations(path):
    durations = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                key, sep, value = line.strip().partition("=")
                if sep:
                    durations.append((key, value))
    return durations


def machine_lines():
    cpu = "unknown"
    for line in run(["lscpu"]).splitlines():
        if line.startswith("Model name:"):
            cpu = line.split(":", 1)[1].strip()
    mem_kib = 0
    with open("/proc/meminfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    debian = open("/etc/debian_version", encoding="utf-8").read().strip() \
        if os.path.exists("/etc/debian_version") else "not Debian"
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {mem_kib / 1024 / 1024:.1f} GiB",
        f"- OS: Debian {debian}, kernel {platform.release()}",
    ]


def version_lines():
    pg = run(["sh", "-c", "ls -d /usr/lib/postgresql/*/bin/postgres | tail -1"])
    packages = run(["dpkg-query", "-W", "-f", "${Package} ${Version}\\n",
                    "libpqxx-6.4", "libxlsxwriter4", "golang-github-vmware-govmomi-dev",
                    "libsqlite3-0"])
    return [
        f"- compiler: {first_line(run(['c++', '--version']))}",
        f"- sqlite3: {first_line(run(['sqlite3', '--version'])).split(' ')[0]}; "
        f"PostgreSQL: {first_line(run([pg, '--version'])) if pg else 'not found'}",
        f"- nginx: {first_line(run(['nginx', '-v']))}; wrk: {first_line(run(['wrk', '-v'])).split(' [')[0]}",
        f"- go: {first_line(run(['go', 'version']))}",
        "- packages: " + ", ".join(packages.splitlines()),
    ]


def commit_line():
    commit = run(["git", "rev-parse", "--short=12", "HEAD"]) or "unknown"
    subject = run(["git", "log", "-1", "--format=%s"])
    dirty = run(["git", "status", "--porcelain", "--untracked-files=no"])
    state = " (with uncommitted changes)" if dirty else ""
    return f"- commit: `{commit}`{state}: {subject[:100]}"


def markdown_cell(text):
    return text.replace("|", "\\|")


def results_table(rows):
    def order(row):
        area = row[0]
        return AREA_ORDER.index(area) if area in AREA_ORDER else len(AREA_ORDER)
    lines = ["| area | figure | vctp | peer or limit | ratio | what the ratio means |",
             "| --- | --- | --- | --- | --- | --- |"]
    for row in sorted(rows, key=order):
        lines.append("| " + " | ".join(markdown_cell(cell) for cell in row) + " |")
    return lines


def scale_lines(facts):
    """The 100 x 10,000 estate on PostgreSQL, from the rates measured in this run."""
    lines = [f"{ESTATE_VCENTERS} vCenters x {ESTATE_VMS_PER_VCENTER:,} VMs: "
             f"{ESTATE_ROWS_PER_HOUR:,} rows an hour, on PostgreSQL, with two replicas of each "
             "service (each replica able to carry the whole load alone). Linear in rows, from "
             "this run's figures; what a figure needs that this run did not measure says so.", "",
             "| need | per hour or day | from |", "| --- | --- | --- |"]

    def row(need, value, source):
        lines.append(f"| {need} | {value} | {source} |")

    missing = []

    def fact(key):
        if key not in facts:
            missing.append(key)
            return None
        return facts[key]

    cpu, vms = fact("coll_cpu_s"), fact("coll_vms")
    wall, rss = fact("coll_wall_s"), fact("coll_rss_bytes")
    if cpu is not None and vms:
        estate_cpu = cpu * ESTATE_ROWS_PER_HOUR / vms
        row("collector CPU", f"{estate_cpu:.0f} s of CPU an hour ({estate_cpu / 3600:.3f} core)",
            f"{cpu:.2f} s CPU per {vms:,.0f}-VM `--once`")
    if wall is not None and rss is not None:
        row("collector wall and memory, 4 vCenters at a time",
            f"{wall * ESTATE_VCENTERS / 4:.0f} s of the 3,600 s hour; "
            f"{rss * 4 / 2**20:.0f} MiB peak",
            f"{wall:.2f} s and {rss / 2**20:.0f} MiB per vCenter of {ESTATE_VMS_PER_VCENTER:,} VMs "
            "(the vCenter's own answer time dominates the wall)")
    pg_rate = fact("store_pg_rows_per_s")
    if pg_rate:
        row("database write", f"{ESTATE_ROWS_PER_HOUR / pg_rate:.1f} s an hour",
            f"bulk write at {pg_rate:,.0f} rows/s")
    pg_bytes = fact("store_pg_bytes_per_row")
    if pg_bytes:
        day = pg_bytes * ESTATE_ROWS_PER_HOUR * 24
        row("disk, hourly tables", f"{day / 2**30:.1f} GiB a day ({day * 31 / 2**30:.0f} GiB a "
            "month before retention)", f"{pg_bytes:.0f} bytes per row with indexes")
    daily, agg_vms = fact("agg_pg_daily_s"), fact("agg_vms")
    if daily is not None and agg_vms:
        estate_daily = daily * ESTATE_ROWS_PER_HOUR / agg_vms
        row("daily close", f"{estate_daily:.0f} s once a day (one core of the database)",
            f"{daily:.2f} s per day of {agg_vms:,.0f} VMs")
    monthly = fact("agg_pg_monthly_s")
    if monthly is not None and agg_vms:
        row("monthly close", f"{monthly * ESTATE_ROWS_PER_HOUR / agg_vms:.0f} s once a month",
            f"{monthly:.2f} s per month of {agg_vms:,.0f} VMs")
    rep, rep_vms, rep_rss = fact("rep_monthly_s"), fact("rep_vms"), fact("rep_monthly_rss_bytes")
    if rep is not None and rep_vms:
        rss_text = f", {rep_rss * ESTATE_ROWS_PER_HOUR / rep_vms / 2**20:.0f} MiB" \
            if rep_rss else ""
        row("monthly report of every VM",
            f"{rep * ESTATE_ROWS_PER_HOUR / rep_vms:.0f} s{rss_text} (one sheet holds at most "
            "1,048,576 rows: an estate this size needs a report per vCenter or tenant)",
            f"{rep:.2f} s per {rep_vms:,.0f}-VM monthly report")
    gw = fact("gw_snapshots_rps")
    if gw:
        row("API reads", f"{gw:,.0f} listings/s from one gateway (2 cores, shared with wrk)", "`GET /api/snapshots` of 1,000 rows, cached")
    e2e, e2e_vms = fact("e2e_day_close_s"), fact("e2e_vms")
    if e2e is not None and e2e_vms:
        row("last hour to daily report", f"{e2e:.1f} s for {e2e_vms:,.0f} VMs on SQLite",
            "measured through the four running services")
    if None not in (cpu, daily, monthly) and vms and agg_vms and pg_rate:
        hourly_work = cpu * ESTATE_ROWS_PER_HOUR / vms + ESTATE_ROWS_PER_HOUR / pg_rate
        day_work = 24 * hourly_work + daily * ESTATE_ROWS_PER_HOUR / agg_vms \
            + monthly * ESTATE_ROWS_PER_HOUR / agg_vms / 30
        lines += ["", f"Cores: the work of a day (24 collections and writes, the daily close, a "
                  f"thirtieth of the monthly) is {day_work:,.0f} core-seconds, "
                  f"{day_work / 86400:.2f} of a core on average; each hour's collections and "
                  f"writes are {hourly_work:,.0f} core-seconds, done in "
                  f"{hourly_work / 2:,.0f} s on 2 cores. Two cores for the database and one "
                  "per service replica pair leave the estate's hour mostly idle; the replicas "
                  "are for availability, not throughput. Memory is the collector's pages in "
                  "flight and the database's work_mem during a close."]
    if missing:
        lines += ["", "Not measured in this run (so not worked out above): "
                  + ", ".join(f"`{key}`" for key in sorted(set(missing))) + "."]
    return lines


def main():
    parser = argparse.ArgumentParser()
    for name in ("results", "facts", "notes", "durations", "output", "load-before",
                 "load-after"):
        parser.add_argument("--" + name, required=True)
    parser.add_argument("--build-seconds", type=int, required=True)
    parser.add_argument("--total-seconds", type=int, required=True)
    args = parser.parse_args()

    rows, bad = read_rows(args.results)
    facts = read_facts(args.facts)
    notes = open(args.notes, encoding="utf-8").read().strip()
    durations = read_durations(args.durations)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    out = ["# Benchmark results", "",
           "Written by `scripts/bench` (do not edit: run it again). Every figure below comes from "
           "the one run described here: release build, vctp and its peer or limit measured side "
           "by side in the same run, medians of 3 unless the figure says otherwise. See "
           "`bench/README.md` for what each area measures and how.", "",
           "## The run", "", f"- date: {now}", commit_line()]
    out += machine_lines() + version_lines()
    out += [f"- load average before: {args.load_before}; after: {args.load_after}",
            f"- time: {args.total_seconds} s in all, of which {args.build_seconds} s building; "
            + ", ".join(f"{k} {v} s" for k, v in durations), "", "## Figures", ""]
    out += results_table(rows) if rows else ["No figures were written."]
    out += ["", "## Scale on paper", ""] + scale_lines(facts)
    if notes or bad:
        out += ["", "## Behind the goal or the peer, and why", ""]
        out += [notes] if notes else []
        out += [f"- a malformed result row: {b}" for b in bad]
    with open(args.output + ".tmp", "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    os.replace(args.output + ".tmp", args.output)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
