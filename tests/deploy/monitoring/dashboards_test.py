#!/usr/bin/python3
"""The Grafana dashboards and Prometheus configuration of deploy/ against the real services.

Usage: dashboards_test.py BUILD_DIR SOURCE_DIR

Checks the dashboard JSON and the Grafana provisioning files, then starts nats-server, the vCenter
simulator and the four services from BUILD_DIR/bin on free ports in a temporary directory, fills
the database (snapshots of yesterday and of the last day of the previous month, their daily and
monthly summaries, a live snapshot and a live daily aggregation through the gateway), starts a real
Prometheus with a configuration generated from deploy/prometheus/prometheus-compose.yml (same jobs,
schemes and rules, static targets on 127.0.0.1), and asks it every expression of every panel.
Every failed check is listed at the end; the exit status is 1 when there is any.
"""

import datetime
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

import yaml

SEED_METRICS = [
    "vctp_hourly_snapshots_total",
    "vctp_hourly_snapshots_failed_total",
    "vctp_hourly_snapshot_last_unix",
    "vctp_hourly_snapshot_last_rows",
    "vctp_vcenter_connect_failures_total",
    "vctp_vcenter_snapshot_duration_seconds",
    "vctp_vcenter_inventory_size",
    "vctp_daily_aggregations_total",
    "vctp_daily_aggregations_failed_total",
    "vctp_monthly_aggregations_total",
    "vctp_monthly_aggregations_failed_total",
    "vctp_daily_aggregation_duration_seconds",
    "vctp_monthly_aggregation_duration_seconds",
    "vctp_reports_available",
]
HISTOGRAMS = {"vctp_daily_aggregation_duration_seconds", "vctp_monthly_aggregation_duration_seconds"}
CHARGEBACK_TOTALS = ["vctp_chargeback_vcpu", "vctp_chargeback_ram_gb", "vctp_chargeback_disk_gb",
                     "vctp_chargeback_vms", "vctp_chargeback_cost"]
CHARGEBACK_METRICS = CHARGEBACK_TOTALS + ["vctp_chargeback_period_start_unix"]
# job name -> (service, settings key of its port)
JOBS = {
    "vctp-collector": ("collector", "collector_metrics_port"),
    "vctp-aggregator": ("aggregator", "aggregator_metrics_port"),
    "vctp-reporter": ("reporter", "reporter_metrics_port"),
    "vctp-gateway": ("gateway", "bind_port"),
}
COMPOSE_HOSTS = {"vctp-collector": "collector", "vctp-aggregator": "aggregator",
                 "vctp-reporter": "reporter", "vctp-gateway": "gateway"}
COMPOSE_PORTS = {"vctp-collector": 9101, "vctp-aggregator": 9102, "vctp-reporter": 9103,
                 "vctp-gateway": 9443}
PANEL_TYPES = {"timeseries", "stat", "bargauge", "table", "row"}
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}
API_TOKEN = "monitoring-test-token"
INSECURE = ssl.create_default_context()
INSECURE.check_hostname = False
INSECURE.verify_mode = ssl.CERT_NONE


class Checks:
    def __init__(self, quiet=False):
        self.failures = []
        self.passed = 0
        self.quiet = quiet  # the self-checks expect failures: not printed

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failures.append(what)
            if not self.quiet:
                print(f"FAIL: {what}", flush=True)
        return ok


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(predicate, timeout, step=0.2):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception:  # noqa: BLE001 - retried until the deadline
            pass
        if time.monotonic() > deadline:
            return None
        time.sleep(step)


def http(url, data=None, headers=None, timeout=10):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    ctx = INSECURE if url.startswith("https:") else None
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=ctx) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


# ---------------------------------------------------------------------------------------------
# Static checks of the files

def panels_of(dashboard):
    """Every panel, including those nested in collapsed rows."""
    for p in dashboard.get("panels", []):
        yield p
        for q in p.get("panels", []) or []:
            yield q


def dashboard_exprs(dashboards):
    """(dashboard file, panel title, refId, expr) for every target of every panel."""
    out = []
    for name, d in dashboards.items():
        for p in panels_of(d):
            for t in p.get("targets", []) or []:
                out.append((name, p.get("title", "?"), t.get("refId", "?"), t.get("expr", "")))
    return out


def check_dashboards(c, dashboards):
    uids = set()
    for name, d in dashboards.items():
        c.check(isinstance(d.get("uid"), str) and d["uid"] and d["uid"] not in uids,
                f"{name}: a unique uid")
        uids.add(d.get("uid"))
        c.check(isinstance(d.get("title"), str) and d["title"], f"{name}: a title")
        c.check(isinstance(d.get("schemaVersion"), int) and 36 <= d["schemaVersion"] <= 41,
                f"{name}: schemaVersion {d.get('schemaVersion')} is Grafana's current model (36-41)")
        c.check(d.get("templating", {}).get("list", []) == [],
                f"{name}: no template variables (the test would have to substitute them)")
        ids = [p.get("id") for p in panels_of(d)]
        c.check(len(ids) == len(set(ids)) and all(isinstance(i, int) for i in ids),
                f"{name}: unique integer panel ids")
        c.check(len([p for p in panels_of(d) if p.get("type") != "row"]) > 0, f"{name}: has panels")
        for p in panels_of(d):
            title = p.get("title", "?")
            kind = p.get("type")
            c.check(kind in PANEL_TYPES, f"{name}/{title}: panel type {kind} is one of {sorted(PANEL_TYPES)}")
            g = p.get("gridPos", {})
            c.check(all(isinstance(g.get(k), int) for k in "hwxy") and g.get("x", 0) + g.get("w", 0) <= 24,
                    f"{name}/{title}: gridPos within 24 columns")
            if kind == "row":
                continue
            c.check(p.get("datasource") == DATASOURCE, f"{name}/{title}: datasource {DATASOURCE}")
            targets = p.get("targets") or []
            c.check(len(targets) > 0, f"{name}/{title}: has targets")
            refs = [t.get("refId") for t in targets]
            c.check(len(refs) == len(set(refs)) and all(refs), f"{name}/{title}: unique refIds")
            for t in targets:
                ref = t.get("refId")
                c.check(t.get("datasource") == DATASOURCE, f"{name}/{title}/{ref}: datasource {DATASOURCE}")
                expr = t.get("expr", "")
                c.check(isinstance(expr, str) and expr.strip(), f"{name}/{title}/{ref}: an expr")
                c.check("$" not in expr, f"{name}/{title}/{ref}: no Grafana variable in {expr!r}")


def metric_names(expr):
    return set(re.findall(r"\b(vctp_[a-z0-9_]+)", expr))


def check_coverage(c, exprs):
    used = set()
    for _, _, _, expr in exprs:
        for m in metric_names(expr):
            used.add(m)
            for suffix in ("_bucket", "_sum", "_count"):
                if m.endswith(suffix) and m[: -len(suffix)] in HISTOGRAMS:
                    used.add(m[: -len(suffix)])
    for m in SEED_METRICS:
        c.check(m in used, f"seed metric {m} appears in some panel expression")
    for m in HISTOGRAMS:
        c.check(any(f"histogram_quantile" in e and f"{m}_bucket" in e for _, _, _, e in exprs),
                f"histogram {m}: a histogram_quantile over its _bucket series")
    for m in CHARGEBACK_METRICS:
        c.check(m in used, f"chargeback gauge {m} appears in some panel expression")


def check_provisioning(c, source):
    ds = yaml.safe_load(open(os.path.join(source, "deploy/grafana/provisioning/datasources/prometheus.yml")))
    entries = ds.get("datasources", [])
    c.check(ds.get("apiVersion") == 1 and len(entries) == 1, "datasource provisioning: apiVersion 1, one datasource")
    if entries:
        e = entries[0]
        c.check(e.get("uid") == "prometheus" and e.get("type") == "prometheus"
                and e.get("url") == "http://prometheus:9090",
                "datasource provisioning: uid prometheus, type prometheus, url http://prometheus:9090")
    prov = yaml.safe_load(open(os.path.join(source, "deploy/grafana/provisioning/dashboards/vctp.yml")))
    providers = prov.get("providers", [])
    c.check(prov.get("apiVersion") == 1 and len(providers) == 1 and providers[0].get("type") == "file"
            and providers[0].get("options", {}).get("path"),
            "dashboard provisioning: apiVersion 1, one file provider with a path")


def alert_rules(source):
    doc = yaml.safe_load(open(os.path.join(source, "deploy/prometheus/alerts.yml")))
    return [r for g in doc["groups"] for r in g["rules"] if "alert" in r]


def check_job_names(c, source):
    rules = alert_rules(source)
    rule_jobs = set()
    for r in rules:
        rule_jobs |= set(re.findall(r'job="(vctp-[a-z]+)"', r["expr"]))
        for alt in re.findall(r'job=~"([^"]+)"', r["expr"]):
            rule_jobs |= set(alt.split("|"))
    c.check(rule_jobs == set(JOBS), f"alerts.yml names the jobs {sorted(JOBS)} (found {sorted(rule_jobs)})")
    for f in ("prometheus.yml", "prometheus-compose.yml"):
        cfg = yaml.safe_load(open(os.path.join(source, "deploy/prometheus", f)))
        jobs = {s["job_name"] for s in cfg.get("scrape_configs", [])}
        c.check(jobs == set(JOBS), f"{f}: scrape jobs {sorted(JOBS)} (found {sorted(jobs)})")
        c.check(cfg.get("rule_files") == ["alerts.yml"], f"{f}: rule_files [alerts.yml]")
        gateway = [s for s in cfg.get("scrape_configs", []) if s["job_name"] == "vctp-gateway"]
        c.check(bool(gateway) and gateway[0].get("scheme") == "https"
                and gateway[0].get("tls_config", {}).get("insecure_skip_verify") is True,
                f"{f}: the gateway is scraped over https, insecure_skip_verify")
    compose = yaml.safe_load(open(os.path.join(source, "deploy/prometheus/prometheus-compose.yml")))
    for s in compose["scrape_configs"]:
        job = s["job_name"]
        sd = s.get("dns_sd_configs") or [{}]
        c.check("static_configs" not in s and len(sd) == 1 and sd[0].get("type") == "A"
                and sd[0].get("names") == [COMPOSE_HOSTS.get(job)] and sd[0].get("port") == COMPOSE_PORTS.get(job),
                f"prometheus-compose.yml/{job}: dns_sd_configs type A of {COMPOSE_HOSTS.get(job)} port {COMPOSE_PORTS.get(job)}")


# ---------------------------------------------------------------------------------------------
# The live stack

class Stack:
    def __init__(self, build, source, tmp):
        self.build, self.source, self.tmp = build, source, tmp
        self.procs = []  # (name, Popen, log path)
        self.logs = os.path.join(tmp, "logs")
        os.makedirs(self.logs)

    def start(self, name, argv, **kw):
        log = os.path.join(self.logs, name + ".log")
        with open(log, "ab") as out:
            p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 start_new_session=True, **kw)
        self.procs.append((name, p, log))
        return p

    def run(self, name, argv, timeout=120):
        log = os.path.join(self.logs, name + ".log")
        with open(log, "ab") as out:
            p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 start_new_session=True)
            try:
                return p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
                return None

    def stop_all(self):
        for _, p, _ in reversed(self.procs):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 12
        for _, p, _ in reversed(self.procs):
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait()

    def dump_logs(self, lines=25):
        for name in sorted(os.listdir(self.logs)):
            path = os.path.join(self.logs, name)
            with open(path, errors="replace") as f:
                tail = f.readlines()[-lines:]
            print(f"----- {name} (last {len(tail)} lines) -----")
            sys.stdout.writelines(tail)


def prometheus_config(source, ports, tmp):
    """prometheus-compose.yml with its DNS targets replaced by 127.0.0.1 and a 1 s cadence."""
    cfg = yaml.safe_load(open(os.path.join(source, "deploy/prometheus/prometheus-compose.yml")))
    cfg["global"] = dict(cfg.get("global") or {}, scrape_interval="1s", evaluation_interval="1s",
                         scrape_timeout="1s")
    cfg["rule_files"] = [os.path.join(source, "deploy/prometheus", f) for f in cfg["rule_files"]]
    for s in cfg["scrape_configs"]:
        s.pop("dns_sd_configs", None)
        s["static_configs"] = [{"targets": [f"127.0.0.1:{ports[s['job_name']]}"]}]
    path = os.path.join(tmp, "prometheus.yml")
    with open(path, "w") as f:
        yaml.safe_dump(cfg, f, sort_keys=False)
    return path


class Prometheus:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"

    def query(self, expr):
        """The decoded answer of an instant query (errors included), never raising."""
        try:
            status, body = http(self.base + "/api/v1/query",
                                data=urllib.parse.urlencode({"query": expr}).encode(),
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
            answer = json.loads(body)
            answer["http_status"] = status
            return answer
        except Exception as e:  # noqa: BLE001
            return {"status": "error", "error": f"no answer: {e}"}

    def series(self, expr):
        a = self.query(expr)
        if a.get("status") != "success":
            return None
        r = a["data"]["result"]
        if a["data"]["resultType"] in ("scalar", "string"):
            return [{"metric": {}, "value": r}]
        return r

    def get(self, path):
        status, body = http(self.base + path)
        return json.loads(body) if status == 200 else None


def check_exprs(c, prom, exprs, expect_data):
    """Every expression answered with status success; with data where expected."""
    for name, title, ref, expr in exprs:
        a = prom.query(expr)
        ok = c.check(a.get("status") == "success",
                     f"{name}/{title}/{ref}: query succeeds: {expr} -> {a.get('errorType', '')} {a.get('error', '')}")
        if ok and expect_data(name, expr):
            result = a["data"]["result"]
            c.check(len(result) > 0, f"{name}/{title}/{ref}: has data: {expr}")


def chargeback_missing(prom):
    return [m for m in CHARGEBACK_METRICS if not prom.series(m)]


def live(c, build, source, tmp, exprs):
    bins = {s: os.path.join(build, "bin", f"vctp-{s}") for s in ("collector", "aggregator", "reporter", "gateway")}
    missing = [b for b in bins.values() if not os.access(b, os.X_OK)]
    if not c.check(not missing, f"the service binaries are built: missing {missing}"):
        return
    stack = Stack(build, source, tmp)
    try:
        live_checks(c, stack, bins, exprs)
    except Exception:  # noqa: BLE001
        c.check(False, "the live checks ran to the end:\n" + traceback.format_exc())
    finally:
        if c.failures:
            stack.dump_logs()
        stack.stop_all()


def live_checks(c, stack, bins, exprs):
    build, source, tmp = stack.build, stack.source, stack.tmp

    # nats-server and the vCenter simulator.
    nats_port = free_port()
    os.makedirs(os.path.join(tmp, "nats"))
    stack.start("nats", ["nats-server", "-js", "-a", "127.0.0.1", "-p", str(nats_port),
                         "-sd", os.path.join(tmp, "nats")])
    if not c.check(wait_until(lambda: port_open(nats_port), 15), "nats-server listens"):
        return
    vcsim = os.path.join(build, "bin", "vcsim")
    rc = stack.run("vcsim-build", [os.path.join(source, "tests/vcsim/build.sh"), vcsim], timeout=300)
    if not c.check(rc == 0, f"tests/vcsim/build.sh builds the simulator (exit {rc})"):
        return
    url_file = os.path.join(tmp, "vcsim.url")
    control_file = os.path.join(tmp, "vcsim.control")
    stack.start("vcsim", [vcsim, "-url-file", url_file, "-control-url-file", control_file, "-clusters", "2",
                          "-vms", "5", "-random-sizes", "1", "-username", "vctp", "-password", "vctp-secret"])
    if not c.check(wait_until(lambda: os.path.getsize(url_file) > 0 and os.path.getsize(control_file) > 0, 30),
                   "the vCenter simulator serves"):
        return
    vcenter_url = open(url_file).readline().strip()
    control = open(control_file).readline().strip()
    # VMs in tenant folders (the simulator's own VMs have no tenant).
    for name, folder, cpus in (("fin-app-1", "finance", 4), ("fin-db-1", "finance", 8), ("eng-ci-1", "engineering", 2)):
        status, body = http(control + "/vm/create", headers={"Content-Type": "application/json"},
                            data=json.dumps({"name": name, "folder": folder, "cpus": cpus, "memory_mb": 8192,
                                             "power_on": True}).encode())
        c.check(status == 200, f"the simulator creates VM {name} in folder {folder}: {status} {body[:200]}")

    # Settings for the four services.
    ports = {job: free_port() for job in JOBS}
    reports = os.path.join(tmp, "reports")
    settings = os.path.join(tmp, "vctp.yml")
    with open(settings, "w") as f:
        f.write(f"""settings:
  database_driver: sqlite
  database_url: {tmp}/db.sqlite3
  nats_url: nats://127.0.0.1:{nats_port}
  reports_dir: {reports}
  bind_ip: 127.0.0.1
  bind_port: {ports['vctp-gateway']}
  tls_cert_filename: {tmp}/vctp.crt
  tls_key_filename: {tmp}/vctp.key
  collector_metrics_port: {ports['vctp-collector']}
  aggregator_metrics_port: {ports['vctp-aggregator']}
  reporter_metrics_port: {ports['vctp-reporter']}
  vcenter_addresses: [{vcenter_url}]
  vcenter_username: vctp
  vcenter_password: vctp-secret
  vcenter_insecure: true
  api_tokens: [{hashlib.sha256(API_TOKEN.encode()).hexdigest()}]
  rates:
    currency: EUR
    vcpu_hour: 0.01
    ram_gb_hour: 0.005
    disk_gb_month: 0.1
""")

    # History: yesterday and the last day of the previous month, summarised.
    today = datetime.datetime.now(datetime.timezone.utc).date()
    yesterday = today - datetime.timedelta(days=1)
    last_month_day = today.replace(day=1) - datetime.timedelta(days=1)
    last_month = last_month_day.strftime("%Y-%m")
    for day in sorted({yesterday, last_month_day}):
        rc = stack.run("collector-once", [bins["collector"], "-settings", settings, "--once",
                                          "--at", f"{day.isoformat()}T12:00:00Z"])
        c.check(rc == 0, f"vctp-collector --once --at {day}T12:00:00Z exits 0 (exit {rc})")
    rc = stack.run("aggregator-once", [bins["aggregator"], "-settings", settings, "--once", "daily",
                                       yesterday.isoformat()])
    c.check(rc == 0, f"vctp-aggregator --once daily {yesterday} exits 0 (exit {rc})")
    rc = stack.run("aggregator-once", [bins["aggregator"], "-settings", settings, "--once", "monthly", last_month])
    c.check(rc == 0, f"vctp-aggregator --once monthly {last_month} exits 0 (exit {rc})")
    rc = stack.run("reporter-once", [bins["reporter"], "-settings", settings, "--once", "daily", yesterday.isoformat()])
    c.check(rc == 0, f"vctp-reporter --once daily {yesterday} exits 0 (exit {rc})")

    # The four services and Prometheus.
    for job, (service, _) in JOBS.items():
        stack.start(service, [bins[service], "-settings", settings])
    for job, (service, _) in JOBS.items():
        c.check(wait_until(lambda: port_open(ports[job]), 30), f"{service} listens on {ports[job]}")
    prom_port = free_port()
    config = prometheus_config(source, ports, tmp)
    rc = stack.run("promtool", ["promtool", "check", "config", config], timeout=60)
    c.check(rc == 0, f"promtool check config accepts the generated configuration (exit {rc})")
    stack.start("prometheus", ["prometheus", f"--config.file={config}",
                               f"--storage.tsdb.path={os.path.join(tmp, 'prometheus')}",
                               f"--web.listen-address=127.0.0.1:{prom_port}"])
    prom = Prometheus(prom_port)
    if not c.check(wait_until(lambda: http(prom.base + "/-/ready")[0] == 200, 60),
                   "prometheus is ready"):
        return

    def all_up():
        r = prom.series('up{job=~"vctp-.*"}') or []
        return {s["metric"]["job"] for s in r if s["value"][1] == "1"} == set(JOBS)
    if not c.check(wait_until(all_up, 60), "all four targets are up (up == 1) in prometheus"):
        targets = prom.get("/api/v1/targets") or {}
        for t in targets.get("data", {}).get("activeTargets", []):
            print(f"  target {t['labels'].get('job')} {t['scrapeUrl']}: {t['health']} {t.get('lastError', '')}")
    for job in JOBS:
        r = prom.series(f'up{{job="{job}"}}') or []
        c.check(len(r) == 1 and r[0]["value"][1] == "1", f"up{{job={job!r}}} is 1: {r}")

    # Live events, so that the running services' counters move: a snapshot now and yesterday's
    # daily summary again, both through the gateway.
    gateway = f"https://127.0.0.1:{ports['vctp-gateway']}"
    auth = {"Authorization": f"Bearer {API_TOKEN}", "Content-Type": "application/json"}
    status, body = http(gateway + "/api/snapshots/run", data=b"{}", headers=auth)
    c.check(status == 202, f"POST /api/snapshots/run answers 202: {status} {body[:200]}")
    status, body = http(gateway + "/api/snapshots/aggregate", headers=auth, timeout=60,
                        data=json.dumps({"kind": "daily", "period": yesterday.isoformat(), "wait": 30}).encode())
    c.check(status in (200, 202), f"POST /api/snapshots/aggregate daily answers: {status} {body[:200]}")
    status, body = http(gateway + "/api/snapshots/aggregate", headers=auth, timeout=60,
                        data=json.dumps({"kind": "monthly", "period": last_month, "wait": 30}).encode())
    c.check(status in (200, 202), f"POST /api/snapshots/aggregate monthly answers: {status} {body[:200]}")

    def value(expr):
        r = prom.series(expr)
        return float(r[0]["value"][1]) if r else None
    c.check(wait_until(lambda: (value("sum(vctp_hourly_snapshots_total)") or 0) >= 1, 60),
            "prometheus sees the live snapshot (vctp_hourly_snapshots_total >= 1)")
    c.check(wait_until(lambda: (value("sum(vctp_daily_aggregations_total)") or 0) >= 1, 60),
            "prometheus sees the live daily aggregation (vctp_daily_aggregations_total >= 1)")
    c.check(wait_until(lambda: (value("sum(vctp_monthly_aggregations_total)") or 0) >= 1, 60),
            "prometheus sees the live monthly aggregation (vctp_monthly_aggregations_total >= 1)")
    for m in sorted(HISTOGRAMS):
        c.check(wait_until(lambda: (value(f"sum({m}_count)") or 0) >= 1, 30), f"the histogram {m} counted a run")
        q = wait_until(lambda: value(f"histogram_quantile(0.5, sum by (le) (increase({m}_bucket[1h])))"), 10)
        c.check(q is not None and q == q and q >= 0, f"histogram_quantile of {m} is a number: {q}")
    c.check(wait_until(lambda: (value("max(vctp_reports_available)") or 0) >= 1, 60),
            "vctp_reports_available >= 1")
    c.check(wait_until(lambda: (value("sum(vctp_vcenter_inventory_size)") or 0) >= 1, 30),
            "vctp_vcenter_inventory_size counts the simulator's VMs")
    for m in SEED_METRICS:
        probe = m + "_count" if m in HISTOGRAMS else m
        c.check(bool(prom.series(probe)), f"seed metric {probe} has at least one series in prometheus")

    # The chargeback gauges of yesterday and last month (the reporter refreshes them at start).
    if not wait_until(lambda: not chargeback_missing(prom), 60):
        c.check(False, f"the reporter exports the chargeback gauges: missing {chargeback_missing(prom)}")
    # Prometheus drops empty labels: the simulator's own VMs have no tenant, its standalone host
    # no cluster.
    for kind in ("daily", "monthly"):
        for m in CHARGEBACK_TOTALS:
            r = prom.series(f'{m}{{kind="{kind}"}}') or []
            c.check(len(r) > 0 and all("vcenter" in s["metric"] for s in r)
                    and any({"cluster", "tenant"} <= set(s["metric"]) for s in r),
                    f'{m}{{kind="{kind}"}} has series labelled vcenter, and some with cluster and tenant: {len(r)}')
        tenants = {s["metric"].get("tenant") for s in prom.series(
            f'label_replace(sum by (tenant) (vctp_chargeback_vcpu{{kind="{kind}"}}), "tenant", "(no tenant)", "tenant", "")') or []}
        c.check({"finance", "engineering", "(no tenant)"} <= tenants,
                f"{kind}: the tenants finance, engineering and the VMs without one: {tenants}")
    cost = prom.series('sum(vctp_chargeback_cost{kind="daily", currency="EUR"})') or []
    c.check(bool(cost) and float(cost[0]["value"][1]) > 0, f"yesterday's cost in EUR is above 0: {cost}")
    for kind, start in (("daily", datetime.datetime.combine(yesterday, datetime.time(), datetime.timezone.utc)),
                        ("monthly", datetime.datetime.combine(last_month_day.replace(day=1), datetime.time(),
                                                              datetime.timezone.utc))):
        r = prom.series(f'vctp_chargeback_period_start_unix{{kind="{kind}"}}') or []
        c.check(bool(r) and float(r[0]["value"][1]) == start.timestamp(),
                f"vctp_chargeback_period_start_unix{{kind={kind!r}}} is {start.isoformat()}: {r}")

    # Every panel expression. With the data above every one of them answers with some series.
    check_exprs(c, prom, exprs, lambda name, expr: True)

    # The alert rules, loaded and evaluated.
    names = {r["alert"] for r in alert_rules(source)}

    def rules_evaluated():
        doc = prom.get("/api/v1/rules?type=alert") or {}
        rules = [r for g in doc.get("data", {}).get("groups", []) for r in g["rules"]]
        got = {r["name"]: r for r in rules}
        if set(got) >= names and all(not r["lastEvaluation"].startswith("0001") for r in got.values()):
            return got
        return None
    got = wait_until(rules_evaluated, 30) or {}
    c.check(set(got) >= names, f"/api/v1/rules lists every alert of alerts.yml: missing {sorted(names - set(got))}")
    for n in sorted(names):
        r = got.get(n, {})
        c.check(r.get("health") == "ok", f"alert {n}: health ok ({r.get('health')} {r.get('lastError', '')})")
    # A healthy stack: none of the alerts is firing.
    firing = [n for n, r in got.items() if r.get("state") == "firing"]
    c.check(not firing, f"no alert fires on the healthy stack: {firing}")

    # Negative self-check: a broken expression must fail the same check.
    probe = Checks(quiet=True)
    check_exprs(probe, prom, [("self-check", "broken panel", "A", "sum(rate(vctp_hourly_snapshots_total[5m])")],
                lambda name, expr: True)
    c.check(len(probe.failures) == 1, "a panel expression with a syntax error is reported as failing")
    probe = Checks(quiet=True)
    check_exprs(probe, prom, [("self-check", "empty panel", "A", 'vctp_hourly_snapshots_total{job="no-such-job"}')],
                lambda name, expr: True)
    c.check(len(probe.failures) == 1, "a panel expression without data is reported as failing")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    build, source = (os.path.abspath(a) for a in sys.argv[1:])
    # Stopped from outside (ctest's timeout, Ctrl-C): unwind, so that everything started is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    c = Checks()
    dashboards = {}
    directory = os.path.join(source, "deploy/grafana/dashboards")
    for f in ("vctp-pipeline.json", "vctp-chargeback.json"):
        try:
            dashboards[f] = json.load(open(os.path.join(directory, f)))
        except (OSError, ValueError) as e:
            c.check(False, f"{f} is JSON: {e}")
    c.check(sorted(os.listdir(directory)) == sorted(dashboards), f"{directory} holds the two dashboards")
    check_dashboards(c, dashboards)
    exprs = dashboard_exprs(dashboards)
    check_coverage(c, exprs)
    check_provisioning(c, source)
    check_job_names(c, source)

    # The static checks catch what they should: a dashboard with a Grafana variable and an
    # unknown datasource, and one that misses a seed metric.
    probe = Checks(quiet=True)
    check_dashboards(probe, {"probe.json": {"uid": "p", "title": "p", "schemaVersion": 39, "panels": [
        {"id": 1, "type": "timeseries", "title": "t", "gridPos": {"h": 1, "w": 1, "x": 0, "y": 0},
         "datasource": {"type": "prometheus", "uid": "other"},
         "targets": [{"refId": "A", "datasource": DATASOURCE, "expr": "rate(x[$__rate_interval])"}]}]}})
    c.check(len(probe.failures) == 2, f"the dashboard checks reject a variable and a foreign datasource: {probe.failures}")
    probe = Checks(quiet=True)
    check_coverage(probe, [e for e in exprs if "vctp_reports_available" not in e[3]])
    c.check(any("vctp_reports_available" in f for f in probe.failures),
            "the coverage check notices a seed metric left out")

    tmp = tempfile.mkdtemp(prefix="vctp-monitoring-")
    try:
        live(c, build, source, tmp, exprs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"\n{c.passed} checks passed, {len(c.failures)} failed")
    for f in c.failures:
        print(f"  FAILED: {f}")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
