-- vctp initial schema (SQLite). Times are ISO 8601 UTC text (2026-11-24T13:00:00Z).

-- Every snapshot and summary table, registered in the transaction that fills it.
-- One entry per (kind, table_name, vcenter): each vCenter's part of an hourly table is
-- registered on its own; summaries and whole-table writes have vcenter NULL.
CREATE TABLE snapshot_registry (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('hourly', 'hosts', 'daily', 'monthly')),
  table_name TEXT NOT NULL,
  vcenter TEXT,
  period_start TEXT NOT NULL,
  period_end TEXT NOT NULL,
  row_count INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
  error TEXT,
  created_at TEXT NOT NULL,
  duration_ms INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX snapshot_registry_key
  ON snapshot_registry (kind, table_name, COALESCE(vcenter, ''));
CREATE INDEX snapshot_registry_period ON snapshot_registry (kind, period_start);

-- Last-known state of every VM ever seen.
CREATE TABLE inventory (
  vcenter TEXT NOT NULL,
  vcenter_uuid TEXT NOT NULL,
  vm_id TEXT NOT NULL,
  instance_uuid TEXT NOT NULL,
  bios_uuid TEXT,
  name TEXT,
  datacenter TEXT,
  cluster TEXT,
  host TEXT,
  resource_pool TEXT,
  folder TEXT,
  tenant TEXT,
  vcpu_count INTEGER,
  ram_mb INTEGER,
  disk_gb REAL,
  power_state TEXT,
  is_template INTEGER NOT NULL DEFAULT 0,
  srm_placeholder INTEGER NOT NULL DEFAULT 0,
  guest_os TEXT,
  creation_time TEXT,
  deletion_time TEXT,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  PRIMARY KEY (vcenter_uuid, instance_uuid)
);
CREATE INDEX inventory_vm_id ON inventory (vcenter_uuid, vm_id);

-- VM lifecycle events read from vCenter.
CREATE TABLE vm_events (
  vcenter_uuid TEXT NOT NULL,
  event_key INTEGER NOT NULL,
  event_type TEXT NOT NULL,
  created_time TEXT NOT NULL,
  vm_id TEXT,
  instance_uuid TEXT,
  vm_name TEXT,
  PRIMARY KEY (vcenter_uuid, event_key)
);
CREATE INDEX vm_events_vm ON vm_events (vcenter_uuid, instance_uuid, created_time);

-- Where the event reader of each vCenter stopped.
CREATE TABLE event_checkpoints (
  vcenter_uuid TEXT PRIMARY KEY,
  last_event_key INTEGER NOT NULL,
  last_event_time TEXT NOT NULL
);

-- Generated report files.
CREATE TABLE reports (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  period TEXT NOT NULL,
  file_name TEXT NOT NULL UNIQUE,
  bytes INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX reports_period ON reports (kind, period);
