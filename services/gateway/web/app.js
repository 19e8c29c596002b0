// The vctp web UI: plain JavaScript over the REST API (see /api/openapi.yaml).
'use strict';

const state = { token: sessionStorage.getItem('vctp-token') || '', snapshotsCursor: null };

function $(sel) { return document.querySelector(sel); }

function setStatus(text, isError) {
  const el = $('#status');
  el.textContent = text || '';
  el.classList.toggle('error', !!isError);
}

async function api(path, options = {}, retried = false) {
  const headers = Object.assign({ Accept: 'application/json' }, options.headers || {});
  const token = options.token || state.token;
  if (token) headers.Authorization = 'Bearer ' + token;
  const response = await fetch(path, Object.assign({}, options, { headers }));
  let body = null;
  const type = response.headers.get('Content-Type') || '';
  if (type.startsWith('application/json')) body = await response.json();
  // Reads need a token when the gateway has api_auth_reads: ask once, then remember it.
  if (response.status === 401 && !options.token && !retried && (!options.method || options.method === 'GET')) {
    const token = window.prompt('This gateway needs an API token to read. Token:');
    if (token) {
      state.token = token.trim();
      sessionStorage.setItem('vctp-token', state.token);
      return api(path, options, true);
    }
  }
  // A remembered token the gateway refuses is forgotten, so that the next read asks again.
  if (response.status === 403 && !options.token && state.token && (!options.method || options.method === 'GET')) {
    state.token = '';
    sessionStorage.removeItem('vctp-token');
  }
  if (!response.ok && response.status !== 202) {
    const err = new Error(body && body.detail ? body.detail : response.status + ' ' + response.statusText);
    err.status = response.status;
    err.body = body;
    throw err;
  }
  return { status: response.status, body };
}

// File links (reports, CSV totals) are plain links; once the UI holds a token (a gateway with
// api_auth_reads), a click fetches the file with it and saves what comes back instead.
async function downloadWithToken(event) {
  const link = event.target.closest('a[download]');
  if (!link || !state.token || link.getAttribute('href') === '#' || link.protocol === 'blob:') return;
  event.preventDefault();
  try {
    const response = await fetch(link.href, { headers: { Authorization: 'Bearer ' + state.token } });
    if (!response.ok) throw new Error(response.status + ' ' + response.statusText);
    const url = URL.createObjectURL(await response.blob());
    const save = document.createElement('a');
    save.href = url;
    save.download = link.getAttribute('download') || decodeURIComponent(new URL(link.href).pathname.split('/').pop());
    document.body.appendChild(save);
    save.click();
    save.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (e) {
    setStatus('Download failed: ' + e.message, true);
  }
}

function cell(text, cls) {
  const td = document.createElement('td');
  td.textContent = text === null || text === undefined ? '' : String(text);
  if (cls) td.className = cls;
  return td;
}

function fillTable(table, rows, emptyText) {
  const tbody = table.querySelector('tbody');
  tbody.replaceChildren();
  if (!rows.length) {
    const tr = document.createElement('tr');
    const td = cell(emptyText || 'Nothing yet.', 'empty');
    td.colSpan = table.querySelectorAll('thead th').length;
    tr.appendChild(td);
    tbody.appendChild(tr);
    return;
  }
  for (const cells of rows) {
    const tr = document.createElement('tr');
    for (const c of cells) tr.appendChild(c instanceof Node ? c : cell(c));
    tbody.appendChild(tr);
  }
}

function num(v, digits = 2) {
  if (v === null || v === undefined || v === '') return '';
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v);
  const text = n.toFixed(digits);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

function numCell(v, digits) { return cell(num(v, digits), 'num'); }

function bytes(n) {
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KiB';
  return (n / 1024 / 1024).toFixed(1) + ' MiB';
}

function isoDay(d) { return d.toISOString().slice(0, 10); }

// ---- charts: a bar chart drawn as inline SVG -------------------------------------------------
const SVG = 'http://www.w3.org/2000/svg';

function svgEl(name, attrs, text) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

function barChart(container, labels, values, unit) {
  container.replaceChildren();
  if (!values.length) return;
  const width = 900, barH = 22, gap = 6, left = 170, right = 80;
  const height = values.length * (barH + gap) + 10;
  const max = Math.max(...values, 0) || 1;
  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'chart' });
  svg.appendChild(svgEl('line', { x1: left, y1: 0, x2: left, y2: height, class: 'axis' }));
  values.forEach((v, i) => {
    const y = 5 + i * (barH + gap);
    const w = Math.max(1, ((width - left - right) * v) / max);
    svg.appendChild(svgEl('text', { x: left - 8, y: y + barH * 0.7, 'text-anchor': 'end' }, labels[i] || '(none)'));
    const bar = svgEl('rect', { x: left, y, width: w, height: barH, rx: 3, class: 'bar' });
    bar.appendChild(svgEl('title', {}, `${labels[i]}: ${num(v)} ${unit}`));
    svg.appendChild(bar);
    svg.appendChild(svgEl('text', { x: left + w + 6, y: y + barH * 0.7 }, num(v)));
  });
  container.appendChild(svg);
}

function lineChart(container, labels, values, unit) {
  container.replaceChildren();
  if (!values.length) return;
  const width = 900, height = 200, left = 50, bottom = 24, top = 10;
  const max = Math.max(...values, 0) || 1;
  const step = values.length > 1 ? (width - left - 20) / (values.length - 1) : 0;
  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'chart' });
  svg.appendChild(svgEl('line', { x1: left, y1: height - bottom, x2: width - 10, y2: height - bottom, class: 'axis' }));
  svg.appendChild(svgEl('text', { x: left - 6, y: top + 8, 'text-anchor': 'end' }, num(max)));
  svg.appendChild(svgEl('text', { x: left - 6, y: height - bottom, 'text-anchor': 'end' }, '0'));
  const points = values.map((v, i) => [left + i * step, height - bottom - ((height - bottom - top) * v) / max]);
  svg.appendChild(svgEl('polyline', { points: points.map((p) => p.join(',')).join(' '), fill: 'none', stroke: '#1f6feb', 'stroke-width': 2 }));
  points.forEach(([x, y], i) => {
    const dot = svgEl('circle', { cx: x, cy: y, r: 3, fill: '#1f6feb' });
    dot.appendChild(svgEl('title', {}, `${labels[i]}: ${num(values[i])} ${unit}`));
    svg.appendChild(dot);
  });
  svg.appendChild(svgEl('text', { x: left, y: height - 6 }, labels[0]));
  svg.appendChild(svgEl('text', { x: width - 10, y: height - 6, 'text-anchor': 'end' }, labels[labels.length - 1]));
  container.appendChild(svg);
}

// ---- tabs ------------------------------------------------------------------------------------
const loaders = {};

function showTab(name) {
  if (!document.getElementById('tab-' + name)) name = 'overview';
  document.querySelectorAll('section.tab').forEach((s) => { s.hidden = s.id !== 'tab-' + name; });
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.dataset.tab === name));
  if (loaders[name]) loaders[name]().catch((e) => setStatus(e.message, true));
}

// ---- overview --------------------------------------------------------------------------------
loaders.overview = async () => {
  setStatus('loading…');
  const { body } = await api('/api/vcenters');
  const vcs = body.vcenters;
  const totalVms = vcs.reduce((s, v) => s + v.inventory_vms, 0);
  const failures = vcs.reduce((s, v) => s + v.failures_24h, 0);
  const last = vcs.map((v) => v.last_snapshot_time).filter(Boolean).sort().pop();
  const cards = [
    ['vCenters', vcs.length, false],
    ['VMs in inventory', totalVms, false],
    ['Failed snapshots (24 h)', failures, failures > 0],
    ['Last snapshot', last ? last.replace('T', ' ').slice(0, 16) + ' UTC' : '—', false, true],
  ];
  $('#overview-cards').replaceChildren(...cards.map(([label, value, bad, small]) => {
    const div = document.createElement('div');
    div.className = 'card';
    const l = document.createElement('div'); l.className = 'label'; l.textContent = label;
    const v = document.createElement('div');
    v.className = 'value' + (bad ? ' bad' : '') + (small ? ' small' : '');
    v.textContent = value;
    div.append(l, v);
    return div;
  }));
  fillTable($('#vcenters-table'), vcs.map((v) => [
    v.vcenter, v.last_snapshot_time || '—', cell(v.last_snapshot_status || '', v.last_snapshot_status || ''),
    numCell(v.last_snapshot_rows, 0), numCell(v.failures_24h, 0), numCell(v.inventory_vms, 0), v.last_error || '',
  ]), 'No vCenter has reported yet.');
  setStatus('');
};

// ---- snapshots -------------------------------------------------------------------------------
async function loadSnapshots(append) {
  const form = $('#snapshots-form');
  const params = new URLSearchParams();
  for (const k of ['kind', 'from', 'to']) if (form.elements[k].value) params.set(k, form.elements[k].value);
  params.set('limit', '50');
  if (append && state.snapshotsCursor) params.set('cursor', state.snapshotsCursor);
  const { body } = await api('/api/snapshots?' + params);
  const rows = body.snapshots.map((s) => [
    s.kind, s.table_name, s.vcenter || '', s.period_start, numCell(s.row_count, 0), cell(s.status, s.status),
    numCell(s.duration_ms / 1000, 1), s.created_at,
  ]);
  const table = $('#snapshots-table');
  if (append) {
    const tbody = table.querySelector('tbody');
    for (const cells of rows) {
      const tr = document.createElement('tr');
      for (const c of cells) tr.appendChild(c instanceof Node ? c : cell(c));
      tbody.appendChild(tr);
    }
  } else {
    fillTable(table, rows, 'No snapshots match.');
  }
  state.snapshotsCursor = body.next_cursor;
  $('#snapshots-more').hidden = !body.next_cursor;
}
loaders.snapshots = () => loadSnapshots(false);

// ---- VMs -------------------------------------------------------------------------------------
async function searchVms() {
  const form = $('#vm-search');
  const params = new URLSearchParams({ limit: '100' });
  for (const k of ['name', 'tenant', 'cluster']) if (form.elements[k].value.trim()) params.set(k, form.elements[k].value.trim());
  setStatus('searching…');
  const { body } = await api('/api/inventory?' + params);
  fillTable($('#vms-table'), body.vms.map((vm) => {
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.className = 'link history';
    btn.textContent = 'history';
    btn.addEventListener('click', () => showHistory(vm).catch((e) => setStatus(e.message, true)));
    const td = document.createElement('td');
    td.appendChild(btn);
    return [vm.name, vm.vcenter, vm.tenant, vm.cluster, vm.resource_pool, numCell(vm.vcpu_count, 0),
      numCell(vm.ram_mb / 1024, 1), numCell(vm.disk_gb, 1), vm.power_state, td];
  }), 'No VM matches.');
  setStatus(body.vms.length + ' VM' + (body.vms.length === 1 ? '' : 's') + (body.next_cursor ? ' (more: refine the search)' : ''));
}

async function showHistory(vm) {
  const to = new Date();
  const from = new Date(to.getTime() - 90 * 86400000);
  const { body } = await api(`/api/vms/${encodeURIComponent(vm.instance_uuid)}/history?from=${isoDay(from)}&to=${isoDay(to)}`);
  $('#vm-history').hidden = false;
  $('#vm-history-name').textContent = vm.name;
  const days = body.days.slice().sort((a, b) => String(a.period).localeCompare(String(b.period)));
  lineChart($('#vm-history-chart'), days.map((d) => String(d.period).slice(0, 10)),
    days.map((d) => Number(d.avg_vcpu) * Number(d.presence)), 'vCPU');
  fillTable($('#vm-history-table'), days.map((d) => [
    String(d.period).slice(0, 10), numCell(d.presence, 3), numCell(d.avg_vcpu), numCell(d.avg_ram_gb), numCell(d.avg_disk_gb),
    numCell(d.powered_on_share, 2), d.tenant, d.resource_pool,
  ]), 'No daily summaries in the last 90 days.');
  $('#vm-history').scrollIntoView({ block: 'start' });
}

// ---- totals ----------------------------------------------------------------------------------
async function loadTotals() {
  const form = $('#totals-form');
  const kind = form.elements.kind.value;
  const period = form.elements.period.value.trim();
  const groupBy = form.elements.group_by.value;
  const measure = form.elements.measure.value;
  if (!period) return;
  const base = `/api/summaries/${kind}/${encodeURIComponent(period)}?group_by=${groupBy}`;
  $('#totals-csv').href = base + '&format=csv';
  $('#totals-csv').setAttribute('download', `vctp_${kind}_${period}_by_${groupBy}.csv`);
  $('#totals-key').textContent = groupBy === 'pool' ? 'Resource pool' : groupBy[0].toUpperCase() + groupBy.slice(1);
  try {
    const { body } = await api(base);
    const rows = body.rows;
    barChart($('#totals-chart'), rows.map((r) => r[groupBy]), rows.map((r) => Number(r[measure])), measure);
    fillTable($('#totals-table'), rows.map((r) => [r[groupBy] || '(none)', numCell(r.vms, 0), numCell(r.vm_days), numCell(r.vcpu),
      numCell(r.ram_gb), numCell(r.disk_gb), numCell(r.powered_on_vms)]), 'No VMs in this summary.');
    setStatus('');
  } catch (e) {
    $('#totals-chart').replaceChildren();
    fillTable($('#totals-table'), [], e.message);
    setStatus(e.message, true);
  }
}

loaders.totals = async () => {
  const input = $('#totals-period');
  if (!input.value) {
    const { body } = await api('/api/snapshots?kind=daily&limit=1');
    // Keep a period typed in meanwhile.
    if (body.snapshots.length && !input.value) input.value = body.snapshots[0].period_start.slice(0, 10);
  }
  await loadTotals();
};

// ---- reports ---------------------------------------------------------------------------------
loaders.reports = async () => {
  const { body } = await api('/api/reports');
  fillTable($('#reports-table'), body.reports.map((r) => {
    const a = document.createElement('a');
    a.href = '/api/reports/' + encodeURIComponent(r.file);
    a.textContent = r.file;
    a.setAttribute('download', r.file);
    const td = document.createElement('td');
    td.appendChild(a);
    return [r.kind, r.period, td, cell(bytes(r.bytes), 'num'), r.created_at];
  }), 'No reports yet.');
};

// ---- regenerate ------------------------------------------------------------------------------
async function regenerate(event) {
  event.preventDefault();
  const form = event.target;
  const out = $('#regenerate-result');
  const token = form.elements.token.value.trim();
  out.hidden = false;
  out.classList.remove('error');
  out.textContent = 'Requesting…';
  try {
    let { status, body } = await api('/api/snapshots/aggregate', {
      method: 'POST',
      token,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: form.elements.kind.value, period: form.elements.period.value.trim(), wait: 10 }),
    });
    state.token = token;
    sessionStorage.setItem('vctp-token', token);
    for (let i = 0; status === 202 && i < 30; i++) {
      out.textContent = `Requested (${body.request_id}); waiting for the aggregator…`;
      await new Promise((r) => setTimeout(r, 2000));
      ({ status, body } = await api('/api/requests/' + encodeURIComponent(body.request_id)));
      if (body.status !== 'pending') break;
    }
    out.textContent = body.status === 'pending'
      ? `Still running: follow /api/requests/${body.request_id}`
      : `${body.status}: ${body.table || ''} ${body.rows !== undefined ? '(' + body.rows + ' rows)' : ''}${body.error ? ' — ' + body.error : ''}`;
    out.classList.toggle('error', body.status === 'failed');
  } catch (e) {
    out.classList.add('error');
    out.textContent = (e.status ? e.status + ' ' : '') + (e.body ? e.body.error + ': ' : '') + e.message;
  }
}

// ---- start -----------------------------------------------------------------------------------
document.addEventListener('DOMContentLoaded', () => {
  window.addEventListener('hashchange', () => showTab(location.hash.slice(1)));
  $('#snapshots-form').addEventListener('submit', (e) => { e.preventDefault(); loadSnapshots(false).catch((x) => setStatus(x.message, true)); });
  $('#snapshots-more').addEventListener('click', () => loadSnapshots(true).catch((x) => setStatus(x.message, true)));
  $('#vm-search').addEventListener('submit', (e) => { e.preventDefault(); searchVms().catch((x) => setStatus(x.message, true)); });
  $('#totals-form').addEventListener('submit', (e) => { e.preventDefault(); loadTotals(); });
  $('#regenerate-form').addEventListener('submit', regenerate);
  document.addEventListener('click', downloadWithToken);
  $('#regen-period').value = isoDay(new Date(Date.now() - 86400000));
  if (state.token) $('#regen-token').value = state.token;
  showTab(location.hash.slice(1) || 'overview');
});
