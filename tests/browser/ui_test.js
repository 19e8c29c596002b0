#!/usr/bin/env node
// Browser test of the vctp web UI: starts real vctp-gateways over seeded SQLite databases and
// the `nats` fixture, drives Debian's chromium through playwright-core, and saves screenshots.
// Phase 1 uses a gateway with open reads; phase 2 one with api_auth_reads: true, where the UI
// asks for the token (window.prompt) and fetches file links with it (downloadWithToken).
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

function get(url, headers = {}) {
  return new Promise((resolve) => {
    const req = https.get(url, { rejectUnauthorized: false, timeout: 2000, headers }, (res) => {
      const chunks = [];
      res.on('data', (d) => { chunks.push(d); });
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode, body: bytes.toString('utf8'), bytes });
      });
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

// Seeds a database of its own and starts a vctp-gateway over it; its log goes to
// ARTIFACTS_DIR/LOG_NAME. Returns where it listens and what the seed wrote.
async function startGateway(ctx, label, logName, extraSettings = []) {
  const dir = path.join(ctx.work, label);
  fs.mkdirSync(dir, { recursive: true });
  const dbPath = path.join(dir, 'vctp.sqlite3');
  const reportsDir = path.join(dir, 'reports');
  const seeded = JSON.parse(execFileSync(ctx.helper, ['seed', 'sqlite', dbPath, reportsDir], { encoding: 'utf8' }).trim().split('\n').pop());
  log(label, 'seeded', JSON.stringify(seeded));
  const hash = execFileSync(ctx.gatewayBin, ['--hash-token', TOKEN], { encoding: 'utf8' }).trim();
  const port = await freePort();
  const settings = path.join(dir, 'vctp.yml');
  fs.writeFileSync(settings, [
    'settings:',
    '  bind_ip: 127.0.0.1',
    `  bind_port: ${port}`,
    `  tls_cert_filename: ${path.join(dir, 'tls', 'gateway.crt')}`,
    `  tls_key_filename: ${path.join(dir, 'tls', 'gateway.key')}`,
    '  database_driver: sqlite',
    `  database_url: ${dbPath}`,
    `  reports_dir: ${reportsDir}`,
    `  nats_url: ${ctx.natsUrl}`,
    `  api_tokens: ["${hash}"]`,
    ...extraSettings.map((line) => '  ' + line),
    '',
  ].join('\n'));
  start('gateway-' + label, [ctx.gatewayBin, '-settings', settings], path.join(artifactsDir, logName));
  const base = `https://127.0.0.1:${port}`;
  await waitFor(async () => (await get(base + '/api/health')).status === 200, 'the gateway (' + label + ')');
  log(label, 'gateway up at', base);
  return { base, seeded, reportsDir };
}

// Runs fn({ page, shot, consoleErrors }) in a fresh chromium profile (no cookies, no
// sessionStorage); on a failure saves FAILURE_NAME.png first.
async function withBrowser(failureName, fn) {
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
    await fn({ page, shot, consoleErrors });
  } catch (e) {
    await shot(failureName).catch(() => {});
    throw e;
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
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
  const ctx = { work, helper, gatewayBin, natsUrl };

  try {
    const aggregatorLog = path.join(artifactsDir, 'aggregator.log');
    start('aggregator', [helper, 'aggregator', natsUrl], aggregatorLog);
    await waitFor(() => fs.readFileSync(aggregatorLog, 'utf8').includes('ready'), 'the test aggregator');

    // Phase 1: a gateway with open reads (the default).
    {
      const { base, seeded, reportsDir } = await startGateway(ctx, 'open', 'gateway.log');
      await withBrowser('failure', async ({ page, shot, consoleErrors }) => {
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
        // The tab fills in the latest daily period itself: typing before it has would race it.
        await page.waitForFunction(() => document.querySelector('#totals-period').value !== '');
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
      });
      log('open reads: all checks passed');
    }

    // Phase 2: a gateway with api_auth_reads: true (reads need the bearer token).
    {
      const { base, seeded, reportsDir } = await startGateway(ctx, 'auth-reads', 'gateway-auth-reads.log', ['api_auth_reads: true']);
      const reportFile = seeded.report_files[0];
      const reportPath = '/api/reports/' + encodeURIComponent(reportFile);
      const csvPath = `/api/summaries/daily/${seeded.day}?group_by=tenant&format=csv`;
      const bearer = { Authorization: 'Bearer ' + TOKEN };
      // What the UI gets without the token, and so what a plain link would get: 401.
      assert.equal((await get(base + '/api/vcenters')).status, 401, 'reads need the token');
      assert.equal((await get(base + reportPath)).status, 401, 'a report needs the token');
      assert.equal((await get(base + csvPath)).status, 401, 'the CSV needs the token');
      const csvWithToken = await get(base + csvPath, bearer);
      assert.equal(csvWithToken.status, 200, 'the CSV with the token');
      assert.match(csvWithToken.body, /acme/);
      // The page and its script stay open.
      assert.equal((await get(base + '/')).status, 200, 'the UI is open');
      assert.equal((await get(base + '/ui/app.js')).status, 200, 'the UI script is open');

      // Clicks a file link and checks the file came through downloadWithToken: one fetch of
      // PATH with the bearer token, answered 200, saved from a blob: URL under NAME.
      const downloadThroughToken = async (page, selector, filePath, name) => {
        const fetched = [];
        const onResponse = (r) => { const u = new URL(r.url()); if (u.pathname + u.search === filePath) fetched.push(r); };
        page.on('response', onResponse);
        let download;
        try {
          [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
        } finally {
          page.off('response', onResponse);
        }
        assert.equal(fetched.length, 1, 'the page fetched ' + filePath + ' itself (downloadWithToken)');
        assert.equal(fetched[0].status(), 200, 'the file fetch of ' + filePath);
        assert.equal((await fetched[0].request().allHeaders()).authorization, 'Bearer ' + TOKEN, 'the file fetch carries the token');
        assert.match(download.url(), /^blob:/, 'saved from the fetched blob, not the plain link');
        assert.equal(download.suggestedFilename(), name, 'the saved file name');
        const saved = path.join(artifactsDir, 'downloaded-auth-' + download.suggestedFilename());
        await download.saveAs(saved);
        assert.equal(await download.failure(), null, 'the download completed');
        return fs.readFileSync(saved);
      };

      // A fresh page: asked for the token once, then everything reads with it.
      await withBrowser('failure-auth-reads', async ({ page, shot, consoleErrors }) => {
        const prompts = [];
        page.on('dialog', async (d) => {
          prompts.push({ type: d.type(), message: d.message() });
          await (d.type() === 'prompt' ? d.accept(TOKEN) : d.dismiss());
        });
        await page.goto(base + '/');
        await page.waitForSelector('#vcenters-table tbody tr td:text("vc1.example.com")');
        assert.equal(prompts.length, 1, 'asked for the token once');
        assert.equal(prompts[0].type, 'prompt');
        assert.match(prompts[0].message, /token/i);
        assert.equal(await page.evaluate(() => sessionStorage.getItem('vctp-token')), TOKEN, 'the token is kept in sessionStorage');
        const cards = await page.locator('#overview-cards .card .value').allTextContents();
        assert.equal(cards[0], '2', 'two vCenters');
        assert.equal(cards[1], String(seeded.inventory_vms), 'inventory size');
        assert.equal(await page.locator('#vcenters-table tbody tr', { hasText: 'vc2.example.com' }).count(), 1, 'vc2 listed');
        assert.equal(await page.locator('#status.error').count(), 0, 'no error shown');
        await shot('09-auth-overview');

        // Reports: the list reads with the token, a click saves the file fetched with it.
        await page.click('nav a[data-tab="reports"]');
        const reportLink = `#reports-table a:text("${reportFile}")`;
        await page.waitForSelector(reportLink);
        assert.equal(await page.locator(reportLink).getAttribute('href'), reportPath, 'the link itself is the plain URL');
        const report = await downloadThroughToken(page, reportLink, reportPath, reportFile);
        assert.deepEqual(report, fs.readFileSync(path.join(reportsDir, reportFile)), 'the same bytes as the report on disk');
        await shot('10-auth-reports');

        // Totals: the tab loads the latest daily period by itself (reads with the token); then
        // the CSV link, the same way as a report.
        await page.click('nav a[data-tab="totals"]');
        await page.waitForFunction((day) => document.querySelector('#totals-period').value === day, seeded.day);
        await page.waitForSelector('#totals-chart svg rect.bar');
        assert.equal(await page.locator('#totals-chart svg rect.bar').count(), 3, 'three tenants');
        const csv = await downloadThroughToken(page, '#totals-csv', csvPath, `vctp_daily_${seeded.day}_by_tenant.csv`);
        assert.deepEqual(csv, csvWithToken.bytes, 'the same CSV as the gateway serves with the token');
        await shot('11-auth-totals');

        assert.equal(prompts.length, 1, 'never asked again');
        assert.equal(await page.locator('#status.error').count(), 0, 'no error shown');
        assert.deepEqual(consoleErrors.filter((e) => !e.includes('401')), [], 'no JavaScript errors');
      });
      log('auth reads, right token: all checks passed');

      // A fresh page answering a wrong token: an error is shown, not a blank page; the refused
      // token is forgotten, so the next read asks again and the right token then works.
      await withBrowser('failure-auth-wrong-token', async ({ page, shot, consoleErrors }) => {
        const prompts = [];
        page.on('dialog', async (d) => {
          prompts.push(d.type());
          await (d.type() === 'prompt' ? d.accept(prompts.length === 1 ? 'not-the-token' : TOKEN) : d.dismiss());
        });
        await page.goto(base + '/');
        await page.waitForSelector('#status.error:has-text("not one of api_tokens")');
        assert.deepEqual(prompts, ['prompt'], 'asked for the token once');
        assert.ok(await page.locator('#status.error').isVisible(), 'the error is visible');
        assert.ok(await page.locator('#tab-overview h2').isVisible(), 'the overview is shown');
        assert.ok(await page.locator('nav a[data-tab="reports"]').isVisible(), 'the navigation is shown');
        assert.equal(await page.locator('#overview-cards .card').count(), 0, 'no data shown');
        assert.equal(await page.locator('#vcenters-table tbody tr').count(), 0, 'no vCenters shown');
        await shot('12-auth-wrong-token');
        assert.equal(await page.evaluate(() => sessionStorage.getItem('vctp-token')), null, 'the refused token is forgotten');
        await page.click('nav a[data-tab="reports"]');
        await page.waitForSelector(`#reports-table a:text("${reportFile}")`);
        assert.deepEqual(prompts, ['prompt', 'prompt'], 'asked again after the refusal, once');
        assert.equal(await page.evaluate(() => sessionStorage.getItem('vctp-token')), TOKEN, 'the right token is kept');
        assert.deepEqual(consoleErrors.filter((e) => !e.includes('401') && !e.includes('403')), [], 'no JavaScript errors');
      });
      log('auth reads, wrong token: all checks passed');
    }
    log('all checks passed; screenshots in', artifactsDir);
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
