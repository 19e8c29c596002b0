#!/usr/bin/env node
// Browser test of the vctp web UI: starts a real vctp-gateway over a seeded SQLite database and
// the `nats` fixture, drives Debian's chromium through playwright-core, and saves screenshots.
//
//   node ui_test.js BUILD_DIR ARTIFACTS_DIR
'use strict';

const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const https = require('node:https');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const [buildDir, artifactsDir] = process.argv.slice(2);
if (!buildDir || !artifactsDir) {
  console.error('usage: node ui_test.js BUILD_DIR ARTIFACTS_DIR');
  process.exit(2);
}

let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch (e) {
  console.error('playwright-core is not installed in tests/browser/node_modules: run scripts/bootstrap');
  process.exit(1);
}

const TOKEN = 'browser-test-token-' + crypto.randomBytes(8).toString('hex');
const children = [];

function log(...args) { console.log('[ui_test]', ...args); }

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function get(url) {
  return new Promise((resolve) => {
    const req = https.get(url, { rejectUnauthorized: false, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.on('timeout', () => { req.destroy(); resolve({ status: 0, body: '' }); });
  });
}

async function waitFor(probe, what, ms = 30000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('timed out waiting for ' + what);
}

function start(name, argv, logFile) {
  const out = fs.openSync(logFile, 'w');
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', out, out] });
  child.name = name;
  children.push(child);
  return child;
}

function stopAll() {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
}

async function main() {
  const natsUrlFile = path.join(buildDir, 'test-fixtures', 'nats', 'url');
  assert.ok(fs.existsSync(natsUrlFile), 'the nats fixture is not running (' + natsUrlFile + ')');
  const natsUrl = fs.readFileSync(natsUrlFile, 'utf8').trim();
  fs.rmSync(artifactsDir, { recursive: true, force: true });
  fs.mkdirSync(artifactsDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vctp-browser-'));
  const helper = path.join(buildDir, 'bin', 'vctp-browser-helper');
  const gatewayBin = path.join(buildDir, 'bin', 'vctp-gateway');

  try {
    const dbPath = path.join(work, 'vctp.sqlite3');
    const reportsDir = path.join(work, 'reports');
    const seeded = JSON.parse(execFileSync(helper, ['seed', 'sqlite', dbPath, reportsDir], { encoding: 'utf8' }).trim().split('\n').pop());
    log('seeded', JSON.stringify(seeded));
    const hash = execFileSync(gatewayBin, ['--hash-token', TOKEN], { encoding: 'utf8' }).trim();
    const port = await freePort();
    const settings = path.join(work, 'vctp.yml');
    fs.writeFileSync(settings, [
      'settings:',
      '  bind_ip: 127.0.0.1',
      `  bind_port: ${port}`,
      `  tls_cert_filename: ${path.join(work, 'tls', 'gateway.crt')}`,
      `  tls_key_filename: ${path.join(work, 'tls', 'gateway.key')}`,
      '  database_driver: sqlite',
      `  database_url: ${dbPath}`,
      `  reports_dir: ${reportsDir}`,
      `  nats_url: ${natsUrl}`,
      `  api_tokens: ["${hash}"]`,
      '',
    ].join('\n'));
    const aggregatorLog = path.join(artifactsDir, 'aggregator.log');
    start('aggregator', [helper, 'aggregator', natsUrl], aggregatorLog);
    await waitFor(() => fs.readFileSync(aggregatorLog, 'utf8').includes('ready'), 'the test aggregator');
    start('gateway', [gatewayBin, '-settings', settings], path.join(artifactsDir, 'gateway.log'));
    const base = `https://127.0.0.1:${port}`;
    await waitFor(async () => (await get(base + '/api/health')).status === 200, 'the gateway');
    log('gateway up at', base);

    const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vctp-chromium-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
      ignoreHTTPSErrors: true,
      acceptDownloads: true,
      viewport: { width: 1280, height: 860 },
    });
    const page = context.pages()[0] || await context.newPage();
    const consoleErrors = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    const shot = (name) => page.screenshot({ path: path.join(artifactsDir, name + '.png'), fullPage: true });

    try {
      // Overview: vCenters, failures, inventory size.
      await page.goto(base + '/');
      await page.waitForSelector('#vcenters-table tbody tr td:text("vc1.example.com")');
      const cards = await page.locator('#overview-cards .card .value').allTextContents();
      assert.equal(cards[0], '2', 'two vCenters');
      assert.equal(cards[1], String(seeded.inventory_vms), 'inventory size');
      assert.equal(cards[2], '1', 'one failed snapshot in 24 h');
      const vc1 = await page.locator('#vcenters-table tbody tr', { hasText: 'vc1.example.com' }).locator('td').allTextContents();
      assert.deepEqual([vc1[2], vc1[3], vc1[4], vc1[5]], ['ok', '4', '0', '4'], 'vc1: status, rows, failures, VMs');
      await shot('01-overview');

      // Snapshots.
      await page.click('nav a[data-tab="snapshots"]');
      await page.selectOption('#snapshots-form select[name="kind"]', 'daily');
      await page.click('#snapshots-form button[type="submit"]');
      await page.waitForSelector(`#snapshots-table td:text("summary_daily_${seeded.day.replaceAll('-', '')}")`);
      await shot('02-snapshots');

      // VM search and history.
      await page.click('nav a[data-tab="vms"]');
      await page.fill('#vm-name', 'web');
      await page.click('#vm-search-button');
      await page.waitForSelector('#vms-table td:text("web-01")');
      assert.equal(await page.locator('#vms-table tbody tr').count(), 3, 'three VMs named *web*');
      await page.locator('#vms-table tbody tr', { hasText: seeded.vm_name }).locator('button.history').click();
      await page.waitForSelector('#vm-history-chart svg polyline');
      assert.equal(await page.locator('#vm-history-table tbody tr').count(), 3, 'three days of history');
      await shot('03-vm-history');

      // Totals per tenant with the chart.
      await page.click('nav a[data-tab="totals"]');
      await page.fill('#totals-period', seeded.day);
      await page.click('#totals-form button[type="submit"]');
      await page.waitForSelector('#totals-chart svg rect.bar');
      assert.equal(await page.locator('#totals-chart svg rect.bar').count(), 3, 'three tenants');
      assert.match(await page.locator('#totals-table').innerText(), /acme/);
      await shot('04-totals-tenant');
      await page.selectOption('#totals-form select[name="group_by"]', 'pool');
      await page.selectOption('#totals-form select[name="kind"]', 'monthly');
      await page.fill('#totals-period', seeded.month);
      await page.click('#totals-form button[type="submit"]');
      await page.waitForSelector('#totals-table td:text("databases")');
      await shot('05-totals-pool-monthly');

      // Regenerate a day: a wrong token is refused, the right one is answered by the aggregator.
      await page.click('nav a[data-tab="regenerate"]');
      await page.selectOption('#regen-kind', 'daily');
      await page.fill('#regen-period', seeded.day);
      await page.fill('#regen-token', 'not-the-token');
      await page.click('#regen-submit');
      await page.waitForSelector('#regenerate-result.error:has-text("403")');
      await shot('06-regenerate-refused');
      await page.fill('#regen-token', TOKEN);
      await page.click('#regen-submit');
      await page.waitForSelector(`#regenerate-result:has-text("ok: summary_daily_${seeded.day.replaceAll('-', '')}")`, { timeout: 30000 });
      await shot('07-regenerate-ok');

      // Reports: download one.
      await page.click('nav a[data-tab="reports"]');
      await page.waitForSelector(`#reports-table a:text("${seeded.report_files[0]}")`);
      await shot('08-reports');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click(`#reports-table a:text("${seeded.report_files[0]}")`),
      ]);
      const saved = path.join(artifactsDir, 'downloaded-' + download.suggestedFilename());
      await download.saveAs(saved);
      assert.equal(download.suggestedFilename(), seeded.report_files[0]);
      assert.deepEqual(fs.readFileSync(saved), fs.readFileSync(path.join(reportsDir, seeded.report_files[0])));

      assert.deepEqual(consoleErrors.filter((e) => !e.includes('403')), [], 'no JavaScript errors');
      log('all checks passed; screenshots in', artifactsDir);
    } catch (e) {
      await shot('failure').catch(() => {});
      throw e;
    } finally {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    }
  } finally {
    stopAll();
    await new Promise((r) => setTimeout(r, 300));
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (e) => {
  console.error('[ui_test] FAILED:', e && e.stack ? e.stack : e);
  stopAll();
  process.exit(1);
});
