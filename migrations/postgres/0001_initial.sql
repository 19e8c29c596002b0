-- vctp initial schema (PostgreSQL). Times are timestamptz.

-- Every snapshot and summary table, registered in the transaction that fills it.
-- One entry per (kind, table_name, vcenter): each vCenter's part of an hourly table is
-- registered on its own; summaries and whole-table writes have vcenter NULL.
CREATE TABLE snapshot_registry (
  id BIGSERIAL PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('hourly', 'hosts', 'daily', 'monthly')),
  table_name TEXT NOT NULL,
  vcenter TEXT,
  period_start TIMESTAMPTZ NOT NULL,
  period_end TIMESTAMPTZ NOT NULL,
  row_count BIGINT NOT NULL DEFAULT 0,
  status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
  error TEXT,
  created_at TIMESTAMPTZ NOT NULL,
  duration_ms BIGINT NOT NULL DEFAULT 0
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
  vcpu_count BIGINT,
  ram_mb BIGINT,
  disk_gb DOUBLE PRECISION,
  power_state TEXT,
  is_template BOOLEAN NOT NULL DEFAULT FALSE,
  srm_placeholder BOOLEAN NOT NULL DEFAULT FALSE,
  guest_os TEXT,
  creation_time TIMESTAMPTZ,
  deletion_time TIMESTAMPTZ,
  first_seen TIMESTAMPTZ NOT NULL,
  last_seen TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (vcenter_uuid, instance_uuid)
);
CREATE INDEX inventory_vm_id ON inventory (vcenter_uuid, vm_id);

-- VM lifecycle events read from vCenter.
CREATE TABLE vm_events (
  vcenter_uuid TEXT NOT NULL,
  event_key BIGINT NOT NULL,
  event_type TEXT NOT NULL,
  created_time TIMESTAMPTZ NOT NULL,
  vm_id TEXT,
  instance_uuid TEXT,
  vm_name TEXT,
  PRIMARY KEY (vcenter_uuid, event_key)
);
CREATE INDEX vm_events_vm ON vm_events (vcenter_uuid, instance_uuid, created_time);

-- Where the event reader of each vCenter stopped.
CREATE TABLE event_checkpoints (
  vcenter_uuid TEXT PRIMARY KEY,
  last_event_key BIGINT NOT NULL,
  last_event_time TIMESTAMPTZ NOT NULL
);

-- Generated report files.
CREATE TABLE reports (
  id BIGSERIAL PRIMARY KEY,
  kind TEXT NOT NULL,
  period TEXT NOT NULL,
  file_name TEXT NOT NULL UNIQUE,
  bytes BIGINT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX reports_period ON reports (kind, period);
