#!/usr/bin/env node
// End-to-end test of the dashboard's goals, baselines, alerts, silences, reports and
// notifications pages in headless Chromium, against the real `yardstick serve` with a
// configuration that defines two goals, two alert rules evaluated every second, a notifier
// pointing at a webhook receiver this test runs, and (after a restart) a daily schedule. Data is
// seeded through POST /v1/events so that one goal is met and one missed, one alert fires and
// another fires and resolves; a baseline is frozen through POST /v1/baselines. The numbers shown
// are compared with the API's answers; the alert is silenced through the page and the silence
// checked with GET /v1/silences. Screenshots go to --out.
//
//   node web/tests/e2e_ops.mjs --binary build/dev/src/cli/yardstick [--out DIR] [--chromium PATH]
//
// Prints one line per check and "N passed, M failed"; exits 1 when a check failed or Chromium
// is missing (it never skips).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { assert, check, httpClient, results, startServer as startYardstick, testOptions } from "./harness.mjs";

// --- Arguments -------------------------------------------------------------------------------
const { binary, outDir, chromiumPath } = testOptions("e2e_ops", "dashboard-e2e-ops-output");

const ADMIN = "e2e-ops-admin-key-0123456789abcdef";
const work = mkdtempSync(join(tmpdir(), "yardstick-dashboard-e2e-ops-"));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- A webhook receiver: records every request ------------------------------------------------
const received = [];
const receiver = createServer((req, res) => {
  let body = "";
  req.on("data", (d) => (body += d));
  req.on("end", () => {
    received.push({ path: req.url, key: req.headers["idempotency-key"] ?? "", body });
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end("{}");
  });
});
await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
const receiverPort = receiver.address().port;

// --- The configuration -----------------------------------------------------------------------
const baseConfig = `
alerting:
  evaluation_interval: 1s
notifiers:
  - name: receiver
    type: alertmanager
    url: http://127.0.0.1:${receiverPort}/hooks
    backoff_base: 200ms
    backoff_max: 1s
goals:
  - name: shop_errors
    kpi: error_rate
    scope: {project: shop}
    target: "<= 0.2"
    window: 3d
  - name: slow_model_latency
    kpi: latency_p95
    scope: {project: shop, model: gpt-slow}
    target: "<= 1s"
    window: 3d
alerts:
  - name: SlowModel
    project: shop
    condition: {type: threshold, kpi: latency_p95, op: ">", value: 1s, min_samples: 5}
    window: 1h
    for: 1s
    group_by: [model]
    labels: {severity: page}
    notifiers: [receiver]
    annotations:
      summary: "p95 {{ $value | humanizeDuration }} on {{ $labels.model }}"
      description: "{{ $labels.project }}: the 95th percentile over {{ $window }} is above 1s."
  - name: Burst
    project: shop
    condition: {type: threshold, kpi: error_rate, op: ">", value: 50%, min_samples: 3}
    window: 10m
    filter: {route: burst}
    labels: {severity: ticket}
    notifiers: [receiver]
    annotations:
      summary: "error rate {{ $value | humanizePercentage }} on route burst"
`;
const scheduleConfig = `
schedules:
  - name: daily_shop
    schedule: daily
    project: shop
    kpis:
      - {kpi: latency_mean, baseline: latency_before}
      - error_rate
    goals: [shop_errors, slow_model_latency]
    notify: [receiver]
`;
const configPath = join(work, "yardstick.yaml");

// --- The server ------------------------------------------------------------------------------
const startServer = () => startYardstick(binary, ["--config", configPath, "--listen", "127.0.0.1:0", "--data-dir", join(work, "data")], { YARDSTICK_ADMIN_KEY: ADMIN });
async function stopServer(proc) {
  if (proc.exitCode !== null) return proc.exitCode;
  const exited = new Promise((r) => proc.on("exit", r));
  proc.kill("SIGTERM");
  return exited;
}

let base = "";
let serverProc = null;
const http = httpClient(() => base);
// Polls `fn` until it returns a truthy value (generous deadline; no timing assertion).
async function waitFor(what, fn, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(250);
  }
}

// --- Seed data -------------------------------------------------------------------------------
let seed = 4242;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const iso = (ms) => new Date(ms).toISOString();

// Two models over the last 50 hours (one call each every 10 minutes): gpt-fast answers in
// 0.3-0.5 s, gpt-slow in 2.5-3.5 s; 2% of the calls fail. Before that (5 to 4 days ago) only
// fast calls, which the baseline freezes.
function seedRecords(now) {
  const records = [];
  let k = 0;
  const call = (t, model, duration, failed) => {
    const c = { type: "call", id: `c-${k++}`, start_time: iso(t), duration_ms: Math.round(duration), model, route: "chat", environment: "prod", input_tokens: 100, output_tokens: 40 };
    if (failed) c.error_type = "timeout";
    records.push(c);
  };
  for (let t = now - 5 * 86400e3; t < now - 4 * 86400e3; t += 10 * 60e3) call(t, "gpt-fast", 300 + rand() * 200, false);
  for (let t = now - 50 * 3600e3; t < now - 60e3; t += 10 * 60e3) {
    call(t, "gpt-fast", 300 + rand() * 200, rand() < 0.02);
    call(t + 5 * 60e3 < now - 60e3 ? t + 5 * 60e3 : t, "gpt-slow", 2500 + rand() * 1000, rand() < 0.02);
  }
  return records;
}

// --- Checks ----------------------------------------------------------------------------------
// A number as the page shows it, in the API's unit: "2.47%" -> 0.0247, "850 ms" -> 0.85.
function parseShown(text) {
  const t = text.trim().replace(/,/g, "").replace(/−/g, "-").replace(/^\+/, "");
  if (t === "–") return null;
  let m;
  if ((m = /^(-?[\d.]+)%$/.exec(t))) return Number(m[1]) / 100;
  if ((m = /^(-?[\d.]+) ms$/.exec(t))) return Number(m[1]) / 1000;
  if ((m = /^(-?[\d.]+) s$/.exec(t))) return Number(m[1]);
  if ((m = /^(-?[\d.]+)(?: [a-z/]+)?$/.exec(t))) return Number(m[1]);
  throw new Error(`cannot read a number from '${text}'`);
}
// Shown values keep 3 significant digits: within 0.5% (plus rounding of tiny values).
function assertClose(shown, expected, what) {
  const v = parseShown(shown);
  if (expected === null || expected === undefined) {
    assert(v === null, `${what}: shows '${shown}', the API has no value`);
    return;
  }
  assert(v !== null && Math.abs(v - expected) <= 0.005 * Math.abs(expected) + 1e-9, `${what}: shows '${shown}' (${v}), the API says ${expected}`);
}

async function main() {
  // First run: goals and alert rules; seed, freeze a baseline, let the alert fire.
  writeFileSync(configPath, baseConfig);
  let server = await startServer();
  serverProc = server;
  base = `http://127.0.0.1:${server.port}`;
  console.log(`server on ${base}, receiver on 127.0.0.1:${receiverPort}, data in ${work}`);
  const { key } = await http("POST", "/v1/projects", ADMIN, { name: "shop" });
  const now = Date.now();
  const records = seedRecords(now);
  const r = await http("POST", "/v1/events", key, records);
  assert(r.rejected === 0, `seed rejected records: ${JSON.stringify(r.errors?.slice(0, 3))}`);
  console.log(`seeded ${r.stored} records`);
  const api = (path, params = {}) => http("GET", `${path}?${new URLSearchParams(params)}`, key);
  // Three failed calls on the route "burst": Burst fires (and resolves once successful calls
  // bring the route's error rate down, after the restart).
  const burstCall = (i, failed) => ({ type: "call", id: `burst-${i}`, start_time: iso(Date.now() - 20e3 + i * 100), duration_ms: 400, model: "gpt-fast", route: "burst", environment: "prod", ...(failed ? { error_type: "timeout" } : {}) });
  assert((await http("POST", "/v1/events", key, [0, 1, 2].map((i) => burstCall(i, true)))).stored === 3, "burst stored");
  await http("POST", "/v1/baselines", key, { name: "latency_before", kpi: "latency_mean", from: iso(now - 5 * 86400e3 - 60e3), to: iso(now - 4 * 86400e3) });
  await waitFor("Burst to fire", () => received.some((x) => x.body.includes('"Burst"') && x.body.includes('"firing"')));
  const firingKey = await waitFor("SlowModel to fire and its notification to arrive", () => {
    const hit = received.find((x) => x.body.includes('"SlowModel"') && x.body.includes('"firing"'));
    return hit?.key;
  });

  // Second run: the same data directory with a daily schedule, which reports yesterday at start.
  assert((await stopServer(server)) === 0, "server stops cleanly before the restart");
  writeFileSync(configPath, baseConfig + scheduleConfig);
  server = await startServer();
  serverProc = server;
  base = `http://127.0.0.1:${server.port}`;
  assert((await http("POST", "/v1/events", key, [3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((i) => burstCall(i, false)))).stored === 10, "recovery stored");
  const reports = await waitFor("the daily report", async () => ((await api("/v1/reports")).reports.length ? (await api("/v1/reports")).reports : null));

  const userDataDir = mkdtempSync(join(tmpdir(), "yardstick-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 800 },
  });
  context.setDefaultTimeout(20_000);
  const consoleErrors = [];
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (msg) => {
    if (msg.type() === "error") consoleErrors.push(`${msg.text()} at ${msg.location()?.url ?? "?"}`);
  });
  page.on("pageerror", (err) => consoleErrors.push(`uncaught: ${err.message}`));
  const ready = () => page.waitForSelector("main[data-ready]");
  const shot = (name) => page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true });
  const open = async (path) => {
    await page.goto(base + path);
    await ready();
  };

  await check("sign-in; the navigation links Goals, Alerts, Reports and Notifications (their APIs answer)", async () => {
    await page.goto(base + "/");
    await page.fill("#api-key", key);
    await page.click("button[type=submit]");
    await ready();
    const nav = await page.$$eval("nav a", (as) => as.map((a) => a.textContent));
    for (const label of ["Goals", "Alerts", "Reports", "Notifications"]) assert(nav.includes(label), `nav has no ${label}: ${nav}`);
  });

  await check("overview: the goals scoreboard equals GET /v1/goals (one met, one missed)", async () => {
    await page.waitForSelector("[data-testid=goals] tr[data-goal] svg.sparkline");
    const { goals } = await api("/v1/goals", { sparkline: 24 });
    const byName = Object.fromEntries(goals.map((g) => [g.name, g]));
    assert(byName.shop_errors?.status === "met" && byName.slow_model_latency?.status === "missed", `statuses: ${goals.map((g) => `${g.name}=${g.status}`)}`);
    const rows = await page.$$eval("[data-testid=goals] tr[data-goal]", (trs) => trs.map((tr) => [tr.getAttribute("data-goal"), tr.getAttribute("data-status")]));
    assert(JSON.stringify(rows) === JSON.stringify(goals.map((g) => [g.name, g.status])), `rows ${JSON.stringify(rows)}`);
    for (const g of goals) {
      const row = `[data-testid=goals] tr[data-goal="${g.name}"]`;
      assertClose(await page.textContent(`${row} .goal-value`), g.value, `${g.name} value`);
      const ci = /CI (.+) – (.+)$/.exec(await page.textContent(`${row} .ci`));
      assert(ci, `${g.name}: no interval shown`);
      assertClose(ci[1], g.ci_low, `${g.name} CI low`);
      assertClose(ci[2], g.ci_high, `${g.name} CI high`);
      assert((await page.textContent(`${row} .n`)).includes(`n = ${g.n.toLocaleString("en-US")}`), `${g.name}: n`);
      assert(Number(await page.getAttribute(`${row} svg.sparkline`, "data-points")) === g.series.length, `${g.name}: sparkline points`);
    }
    await shot("ops-overview");
  });

  await check("goals page: interval against target and the baselines list", async () => {
    await open("/goals");
    const { goals } = await api("/v1/goals");
    for (const g of goals) {
      const bar = `[data-testid=goals] tr[data-goal="${g.name}"] svg.ci-bar`;
      assertClose(String(await page.getAttribute(`${bar} .ci-interval`, "data-low")), g.ci_low, `${g.name} bar low`);
      assertClose(String(await page.getAttribute(`${bar} .ci-interval`, "data-high")), g.ci_high, `${g.name} bar high`);
      assert(Number(await page.getAttribute(`${bar} .ci-target`, "data-target")) === g.target.value, `${g.name} bar target`);
    }
    const { baselines } = await api("/v1/baselines");
    const rows = await page.$$eval("[data-testid=baselines] tr[data-baseline]", (trs) => trs.map((tr) => tr.getAttribute("data-baseline")));
    assert(JSON.stringify(rows) === JSON.stringify(baselines.map((b) => b.name)), `baselines ${rows}`);
    assertClose(await page.textContent('tr[data-baseline="latency_before"] .value'), baselines[0].distribution.value, "baseline value");
  });

  await check("goals page: comparing the baseline with a window (keyboard) equals its compare endpoint", async () => {
    const from = iso(now - 24 * 3600e3);
    const to = iso(now);
    await page.fill("#cmp-from", from);
    await page.fill("#cmp-to", to);
    await page.focus('tr[data-baseline="latency_before"]');
    await page.keyboard.press("Enter");
    await page.waitForSelector('.compare-result[data-baseline="latency_before"] [data-testid=comparison]');
    const c = (await api("/v1/baselines/latency_before/compare", { from, to, confidence: "0.95" })).comparison;
    const field = (f) => page.textContent(`[data-testid=comparison] [data-field=${f}] dd`);
    assertClose(await field("baseline_value"), c.baseline_value, "baseline value");
    assertClose(await field("current_value"), c.current_value, "current value");
    assertClose(await field("difference"), c.difference, "difference");
    assertClose(await field("relative_change"), c.relative_change, "relative change");
    const [lo, hi] = (await field("ci")).split(" … ");
    assertClose(lo, c.ci_low, "difference CI low");
    assertClose(hi, c.ci_high, "difference CI high");
    assert((await field("method")) === c.method, "method");
    assert(c.degraded && (await field("verdict")).includes("Degraded"), `verdict: ${await field("verdict")}`);
    const p = await field("pvalue");
    if (c.pvalue === 0 || c.pvalue >= 1e-4) assertClose(p, c.pvalue, "p-value");
    else assert(Math.abs(Number(p) - c.pvalue) <= 0.05 * c.pvalue, `p-value ${p} vs ${c.pvalue}`);
    // The URL holds the comparison: a reload shows it again.
    await page.reload();
    await ready();
    assertClose(await field("difference"), c.difference, "difference after a reload");
    await shot("ops-goals");
  });

  await check("reports page: the daily report with each KPI against its baseline and the goals", async () => {
    await open("/reports");
    const rows = await page.$$eval("[data-testid=reports] tr[data-report]", (trs) => trs.map((tr) => [tr.getAttribute("data-report"), tr.getAttribute("data-degraded")]));
    assert(JSON.stringify(rows) === JSON.stringify(reports.map((x) => [String(x.id), String(x.degraded)])), `rows ${JSON.stringify(rows)} vs ${JSON.stringify(reports)}`);
    await shot("ops-reports");
    await page.focus("[data-testid=reports] tr[data-report]");
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/reports/${reports[0].id}`);
    await ready();
    const doc = (await api(`/v1/reports/${reports[0].id}`)).report;
    assert(doc.degraded && (await page.textContent("[data-testid=report-verdict]")).includes("Degraded"), "report verdict");
    for (const k of doc.kpis) {
      const row = `[data-testid=report-kpis] tr[data-kpi="${k.kpi}"]`;
      assertClose(await page.$eval(`${row} .value`, (td) => td.firstChild.textContent), k.value, `${k.kpi} value`);
      assert((await page.getAttribute(row, "data-degraded")) === String(Boolean(k.degraded)), `${k.kpi} degraded flag`);
      if (k.comparison) {
        assertClose(await page.$eval(`${row} .difference`, (td) => td.firstChild.textContent), k.comparison.difference, `${k.kpi} difference`);
        assertClose(await page.textContent(`${row} .baseline-value`), k.comparison.baseline_value, `${k.kpi} baseline value`);
      }
    }
    assert(doc.kpis.find((k) => k.kpi === "latency_mean")?.degraded === true, "latency_mean degraded against the fast baseline");
    const goals = await page.$$eval("[data-testid=report-goals] tr[data-goal]", (trs) => trs.map((tr) => [tr.getAttribute("data-goal"), tr.getAttribute("data-status")]));
    assert(JSON.stringify(goals) === JSON.stringify(doc.goals.map((g) => [g.name, g.status])), `report goals ${JSON.stringify(goals)}`);
    await shot("ops-report");
  });

  let slow;
  await check("alerts page: the firing alert, its timeline, rule and notifications equal the API", async () => {
    const { alerts } = await api("/v1/alerts");
    slow = alerts.find((a) => a.rule === "SlowModel");
    assert(slow && slow.state === "firing" && slow.labels.model === "gpt-slow", `SlowModel: ${JSON.stringify(alerts)}`);
    await open("/alerts");
    const item = `[data-testid=active-alerts] li[data-fingerprint="${slow.fingerprint}"]`;
    assert((await page.getAttribute(item, "data-state")) === "firing", "state shown");
    assert((await page.textContent(`${item} .summary`)) === slow.annotations.summary, "summary shown");
    await page.focus(item);
    await page.keyboard.press("Enter");
    assert((await page.getAttribute(item, "aria-expanded")) === "true", "Enter unfolds the alert");
    const steps = await page.$$eval(`${item} [data-testid=timeline] li`, (lis) => lis.map((li) => li.getAttribute("data-to")));
    assert(JSON.stringify(steps) === JSON.stringify(slow.timeline.map((t) => t.to)), `timeline ${steps} vs ${JSON.stringify(slow.timeline)}`);
    const { rules } = await api("/v1/alerts/rules");
    const rule = rules.find((x) => x.name === "SlowModel");
    const cond = await page.textContent(`${item} [data-testid=rule] .condition`);
    assert(cond.startsWith(`threshold: latency_p95 > ${rule.condition.value}`), `condition '${cond}'`);
    const { notifications } = await api("/v1/notifications", { kind: "alert" });
    const mine = notifications.filter((n) => n.idempotency_key.startsWith(`${slow.fingerprint}:`));
    assert(mine.length === 1 && mine[0].idempotency_key === firingKey, `notifications of SlowModel: ${JSON.stringify(mine)}`);
    const shown = await page.$$eval(`${item} [data-testid=alert-notifications] tr[data-notification]`, (trs) => trs.map((tr) => [tr.getAttribute("data-key"), tr.getAttribute("data-status"), tr.querySelector(".attempts").textContent]));
    assert(JSON.stringify(shown) === JSON.stringify(mine.map((n) => [n.idempotency_key, n.status, String(n.attempts)])), `shown ${JSON.stringify(shown)}`);
    // The restart neither forgot the alert nor notified it twice.
    assert(received.filter((x) => x.key === firingKey).length === 1, "the receiver got the firing notification once");
    await shot("ops-alerts");
  });

  await check("alerts page: Silence creates a silence with the alert's labels; Expire ends it", async () => {
    const item = `[data-testid=active-alerts] li[data-fingerprint="${slow.fingerprint}"]`;
    await page.click(`${item} button.silence`);
    await page.selectOption(`${item} .silence-form select[name=duration]`, "1h");
    await page.fill(`${item} .silence-form input[name=comment]`, "looking into gpt-slow");
    await page.keyboard.press("Enter"); // submits the form (the list's keys leave inputs alone)
    await page.waitForSelector("[data-testid=silences] tr[data-silence][data-status=active]");
    const { silences } = await api("/v1/silences");
    assert(silences.length === 1, `silences: ${JSON.stringify(silences)}`);
    const s = silences[0];
    const want = Object.entries(slow.labels).map(([k, v]) => `${k}=${v}`).sort();
    const got = s.matchers.map((m) => (typeof m === "string" ? m : `${m.name}${m.isEqual === false ? "!" : ""}=${m.isRegex ? "~" : ""}${m.value}`)).sort();
    assert(JSON.stringify(got) === JSON.stringify(want), `matchers ${JSON.stringify(s.matchers)} vs labels ${want}`);
    assert(s.comment === "looking into gpt-slow" && s.status === "active", `silence ${JSON.stringify(s)}`);
    const hours = (Date.parse(s.ends) - Date.parse(s.starts)) / 3600e3;
    assert(Math.abs(hours - 1) < 0.01, `silence lasts ${hours} h`);
    assert((await page.getAttribute(`[data-testid=silences] tr[data-silence="${s.id}"]`, "data-status")) === "active", "silence listed");
    await waitFor("the alert to be silenced", async () => (await api("/v1/alerts")).alerts.find((a) => a.fingerprint === slow.fingerprint)?.silenced);
    await open("/alerts");
    assert((await page.textContent(`${item} .alert-head`)).includes("silenced"), "the alert shows it is silenced");
    await shot("ops-alerts-silenced");
    await page.click(`[data-testid=silences] tr[data-silence="${s.id}"] button.expire`);
    await page.waitForSelector(`[data-testid=silences] tr[data-silence="${s.id}"][data-status=expired]`);
    const after = (await api("/v1/silences")).silences.find((x) => x.id === s.id);
    assert(after.status === "expired", `after Expire: ${JSON.stringify(after)}`);
  });

  await check("alerts page: a resolved alert with its timeline and notifications", async () => {
    const burstAlert = await waitFor("Burst to resolve", async () => (await api("/v1/alerts", { state: "resolved" })).alerts.find((a) => a.rule === "Burst"), 90);
    await waitFor("Burst's resolved notification", async () => (await api("/v1/notifications", { kind: "alert" })).notifications.filter((n) => n.idempotency_key.startsWith(`${burstAlert.fingerprint}:`)).length === 2);
    await open("/alerts");
    const item = `[data-testid=resolved-alerts] li[data-fingerprint="${burstAlert.fingerprint}"]`;
    assert((await page.getAttribute(item, "data-state")) === "resolved", "resolved shown");
    await page.click(`${item} .summary`);
    const steps = await page.$$eval(`${item} [data-testid=timeline] li`, (lis) => lis.map((li) => li.getAttribute("data-to")));
    assert(JSON.stringify(steps) === JSON.stringify(burstAlert.timeline.map((t) => t.to)) && steps.at(-1) === "resolved", `timeline ${steps}`);
    const n = await page.$$eval(`${item} [data-testid=alert-notifications] tr[data-notification]`, (trs) => trs.length);
    assert(n === 2, `${n} notifications shown for Burst (firing and resolved)`);
    await shot("ops-alerts-resolved");
  });

  await check("notifications page: every delivery with kind, status and attempts as the API has them", async () => {
    await waitFor("every notification delivered", async () => (await api("/v1/notifications")).notifications.every((n) => n.status === "delivered"));
    await open("/notifications");
    const { notifications } = await api("/v1/notifications");
    const shown = await page.$$eval("[data-testid=notifications] tr[data-notification]", (trs) => trs.map((tr) => [tr.getAttribute("data-notification"), tr.children[1].textContent, tr.getAttribute("data-status"), tr.querySelector(".attempts").textContent]));
    assert(JSON.stringify(shown) === JSON.stringify(notifications.map((n) => [String(n.id), n.kind, n.status, String(n.attempts)])), `shown ${JSON.stringify(shown)}`);
    assert(notifications.some((n) => n.kind === "report"), "the degraded report was notified");
    // Each logical notification reached the receiver exactly once.
    const keys = received.map((x) => x.key);
    assert(new Set(keys).size === keys.length && keys.length === notifications.length, `receiver keys ${keys}`);
    await page.selectOption("#n-kind", "report");
    await ready();
    const reportRows = await page.$$eval("[data-testid=notifications] tr[data-notification]", (trs) => trs.length);
    assert(reportRows === notifications.filter((n) => n.kind === "report").length, "kind filter");
    await shot("ops-notifications");
  });

  await check("mobile width (390x844): the pages fit the screen", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [name, path] of [["overview", "/"], ["goals", "/goals?baseline=latency_before"], ["alerts", "/alerts"], ["reports", "/reports"], ["report", `/reports/${reports[0].id}`], ["notifications", "/notifications"]]) {
      await open(path);
      await shot(`ops-mobile-${name}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert(overflow <= 1, `${name}: the page is ${overflow}px wider than the screen`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await check("no console errors on any page", async () => {
    assert(consoleErrors.length === 0, consoleErrors.join("\n"));
  });

  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
  const code = await stopServer(server);
  await check("server stops cleanly", async () => assert(code === 0, `exit ${code}\n${server.stderrText().slice(-2000)}`));
}

try {
  await main();
} catch (e) {
  results.push({ name: "setup", ok: false });
  console.log(`FAIL setup: ${e?.stack ?? e}`);
} finally {
  if (serverProc && serverProc.exitCode === null) serverProc.kill("SIGKILL");
  receiver.close();
  rmSync(work, { recursive: true, force: true });
}
const failed = results.filter((r) => !r.ok).length;
console.log(`screenshots in ${outDir}`);
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
