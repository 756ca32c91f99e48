#!/usr/bin/env node
// End-to-end test of the dashboard in headless Chromium: starts the real `yardstick serve`
// (with the dashboard embedded) on a fresh data directory, seeds calls, scores and outcomes
// through POST /v1/events, then drives Debian's Chromium with playwright-core through every
// page, comparing the numbers shown with the API's answers. Screenshots go to --out.
//
//   node web/tests/e2e.mjs --binary build/dev/src/cli/yardstick [--out DIR] [--chromium PATH]
//
// Prints one line per check and "N passed, M failed"; exits 1 when a check failed or Chromium
// is missing (it never skips).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { assert, check, httpClient, results, startServer as startYardstick, testOptions } from "./harness.mjs";

// --- Arguments -------------------------------------------------------------------------------
const { binary, outDir, chromiumPath } = testOptions("e2e", "dashboard-e2e-output");

const ADMIN = "e2e-admin-key-0123456789abcdef";
const work = mkdtempSync(join(tmpdir(), "yardstick-dashboard-e2e-"));

// --- The server ------------------------------------------------------------------------------
const startServer = () => startYardstick(binary, ["--listen", "127.0.0.1:0", "--data-dir", join(work, "data")], { YARDSTICK_ADMIN_KEY: ADMIN });

let base = "";
let serverProc = null;
const http = httpClient(() => base);

// --- Seed data -------------------------------------------------------------------------------
let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const iso = (ms) => new Date(ms).toISOString();

function seedRecords(now) {
  const records = [];
  const models = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4"];
  const routes = ["chat", "search", "summarize"];
  // 40 conversations of 1-6 calls in the last 6 hours (ending at least 2 minutes ago).
  for (let c = 1; c <= 40; c++) {
    const conv = `conv-${String(c).padStart(3, "0")}`;
    const model = pick(models);
    const route = pick(routes);
    const env = rand() < 0.8 ? "prod" : "staging";
    let t = now - 6 * 3600e3 + rand() * 5.5 * 3600e3;
    const turns = 1 + Math.floor(rand() * 6);
    for (let i = 0; i < turns; i++) {
      const id = `${conv}-call-${i + 1}`;
      const failed = rand() < 0.06;
      const duration = Math.round(200 + rand() * rand() * 4000);
      const call = {
        type: "call",
        id,
        conversation_id: conv,
        user_id: `user-${c % 7}`,
        start_time: iso(t),
        duration_ms: duration,
        ttft_ms: Math.round(duration * 0.3),
        provider: model.startsWith("claude") ? "anthropic" : "openai",
        model,
        route,
        environment: env,
        variant: rand() < 0.5 ? "A" : "B",
        prompt_version: rand() < 0.5 ? "v1" : "v2",
        input_tokens: 100 + Math.floor(rand() * 900),
        output_tokens: 20 + Math.floor(rand() * 400),
        input: c === 1 && i === 0 ? "Where is my order? Mail me at jane@example.com" : `Question ${i + 1} of ${conv}`,
        output: failed ? undefined : `Answer ${i + 1} for ${conv}`,
        attributes: { tenant: c % 2 ? "acme" : "globex" },
      };
      if (failed) call.error_type = pick(["timeout", "rate_limit_exceeded"]);
      if (i % 2 === 0) call.cost_usd = Number((0.0005 + rand() * 0.01).toFixed(6));
      records.push(call);
      if (rand() < 0.4) records.push({ type: "score", id: `${id}-thumbs`, name: "thumbs", value: rand() < 0.75, call_id: id, source: "user" });
      if (i === 0) records.push({ type: "score", id: `${id}-judge`, name: "helpfulness", value: Number((rand() * 5).toFixed(2)), call_id: id, source: "judge", author: "judge-v1", comment: "Relevant and polite" });
      t += 10e3 + rand() * 60e3;
    }
    records.push({ type: "score", id: `${conv}-csat`, name: "csat", value: 1 + Math.floor(rand() * 5), conversation_id: conv, source: "survey", time: iso(t) });
    records.push({ type: "outcome", id: `${conv}-outcome`, name: rand() < 0.65 ? "resolved" : "escalated", conversation_id: conv, time: iso(t) });
  }
  // A dense series: one call a minute from 7 days ago (+2 h) to 2 days ago, for the 10,000-point
  // chart; far from the edges of the 24-hour and 7-day windows.
  const start = now - 7 * 86400e3 + 2 * 3600e3;
  const end = now - 2 * 86400e3;
  let k = 0;
  for (let t = start; t < end; t += 60e3, k++) {
    records.push({
      type: "call",
      id: `dense-${k}`,
      start_time: iso(t),
      duration_ms: 300 + ((k * 37) % 900),
      model: "gpt-4o-mini",
      route: "batch",
      environment: "prod",
      input_tokens: 50,
      output_tokens: 10,
    });
  }
  return records;
}

// --- Checks ----------------------------------------------------------------------------------
// A number as the page shows it, in the API's unit: "2.47%" -> 0.0247, "850 ms" -> 0.85.
function parseShown(text) {
  const t = text.trim().replace(/,/g, "").replace("−", "-");
  if (t === "–") return null;
  let m;
  if ((m = /^(-?[\d.]+)%$/.exec(t))) return Number(m[1]) / 100;
  if ((m = /^(-?[\d.]+) ms$/.exec(t))) return Number(m[1]) / 1000;
  if ((m = /^(-?[\d.]+) s$/.exec(t))) return Number(m[1]);
  if ((m = /^-?\$([\d.]+)$/.exec(t))) return Number(m[1]) * (t.startsWith("-") ? -1 : 1);
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
  const server = await startServer();
  serverProc = server;
  base = `http://127.0.0.1:${server.port}`;
  console.log(`server on ${base}, data in ${work}`);
  const { key } = await http("POST", "/v1/projects", ADMIN, { name: "shop" });
  const { key: emptyKey } = await http("POST", "/v1/projects", ADMIN, { name: "empty" });
  const records = seedRecords(Date.now() - 2 * 60e3);
  let stored = 0;
  for (let i = 0; i < records.length; i += 2500) {
    const r = await http("POST", "/v1/events", key, records.slice(i, i + 2500));
    assert(r.rejected === 0, `seed rejected records: ${JSON.stringify(r.errors.slice(0, 3))}`);
    stored += r.stored;
  }
  console.log(`seeded ${stored} records`);
  const api = (path, params = {}) => http("GET", `${path}?${new URLSearchParams(params)}`, key);

  const userDataDir = mkdtempSync(join(tmpdir(), "yardstick-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
  context.setDefaultTimeout(20_000);

  // Console errors of every page. The only ones expected are the browser's own "Failed to load
  // resource" lines for the optional capability probes (404 from GET /v1/goals and /v1/alerts on
  // a server without goals or alerts: that 404 is how the page learns to hide those parts) and
  // for the wrong key this test signs in with on purpose (401 from GET /v1/whoami).
  const consoleErrors = [];
  const allowed = (msg) => {
    const at = msg.location()?.url ?? "";
    return (
      (/status of 404/.test(msg.text()) && /\/v1\/(goals|alerts)(\?|$)/.test(at)) ||
      (/status of 401/.test(msg.text()) && /\/v1\/whoami$/.test(at) && wrongKeyTried && !wrongKeyDone)
    );
  };
  let wrongKeyTried = false;
  let wrongKeyDone = false;
  const watch = (page) => {
    page.on("console", (msg) => {
      if (msg.type() === "error" && !allowed(msg)) consoleErrors.push(`${msg.text()} at ${msg.location()?.url ?? "?"}`);
    });
    page.on("pageerror", (err) => consoleErrors.push(`uncaught: ${err.message}`));
    return page;
  };
  const page = watch(context.pages()[0] ?? (await context.newPage()));
  const ready = () => page.waitForSelector("main[data-ready]");
  const shot = (name) => page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true });

  await check("sign-in: a wrong key is refused, the right key shows its project", async () => {
    await page.goto(base + "/");
    wrongKeyTried = true;
    await page.fill("#api-key", "ys_wrong_key");
    await page.click("button[type=submit]");
    await page.waitForSelector("text=This key is not known to the server.");
    wrongKeyDone = true;
    await shot("login");
    await page.fill("#api-key", key);
    await page.click("button[type=submit]");
    await ready();
    const project = await page.textContent("[data-testid=project] strong");
    const who = await http("GET", "/v1/whoami", key);
    assert(project === who.project && project === "shop", `header shows project '${project}', whoami says '${who.project}'`);
  });

  await check("overview: headline KPIs equal the API's values for the last 24h", async () => {
    await page.goto(base + "/?range=24h");
    await ready();
    await shot("overview-24h");
    for (const kpi of ["calls", "error_rate", "latency_p95", "cost_total", "csat"]) {
      const a = await api(`/v1/kpis/${kpi}`, { from: "now-24h" });
      const p = a.series[0]?.points[0];
      const shown = await page.textContent(`.tile[data-kpi=${kpi}] .tile-value`);
      assertClose(shown, p?.value ?? (kpi === "calls" || kpi === "cost_total" ? 0 : null), `tile ${kpi}`);
      if (p?.ci) {
        const ci = await page.textContent(`.tile[data-kpi=${kpi}] .tile-ci`);
        const m = /CI (.+) – (.+)$/.exec(ci);
        assert(m, `tile ${kpi}: no interval shown ('${ci}')`);
        assertClose(m[1], p.ci.low, `tile ${kpi} CI low`);
        assertClose(m[2], p.ci.high, `tile ${kpi} CI high`);
      }
      const spark = await page.getAttribute(`.tile[data-kpi=${kpi}] svg.sparkline`, "data-points");
      assert(Number(spark) >= 24, `tile ${kpi}: sparkline has ${spark} points`);
    }
    // This server defines no goals: the scoreboard says so when the goals API exists, and is
    // absent when it does not.
    const goalsApi = await fetch(`${base}/v1/goals`, { headers: { Authorization: `Bearer ${key}` } });
    const goalsPanel = await page.$("[data-testid=goals]");
    if (goalsApi.status === 404) {
      assert(goalsPanel === null, "goals shown although GET /v1/goals is 404");
    } else {
      assert(goalsApi.status === 200, `GET /v1/goals answered ${goalsApi.status}`);
      assert((await goalsApi.json()).goals.length === 0, "the test server has no goals");
      assert(goalsPanel !== null, "no goals panel although GET /v1/goals answers 200");
      assert((await goalsPanel.textContent()).includes("No goals defined yet."), "goals panel without its empty state");
    }
    assert((await page.$("[data-testid=alerts]")) === null, "alerts shown although GET /v1/alerts is 404");
    assert((await page.$("[data-testid=empty-state]")) === null, "empty state shown with data");
  });

  await check("overview: the 7d range changes the URL and the numbers", async () => {
    await page.click(".range-picker button[data-range='7d']");
    await ready();
    assert(new URL(page.url()).searchParams.get("range") === "7d", `URL is ${page.url()}`);
    const a = await api("/v1/kpis/calls", { from: "now-7d" });
    assertClose(await page.textContent(".tile[data-kpi=calls] .tile-value"), a.series[0].points[0].value, "7d calls");
    const day = await api("/v1/kpis/calls", { from: "now-24h" });
    assert(a.series[0].points[0].value > day.series[0].points[0].value, "7d should hold more calls than 24h");
  });

  await check("overview: goals scoreboard and firing alerts from mocked /v1/goals and /v1/alerts", async () => {
    const goals = {
      goals: [
        { name: "CSAT on chat", kpi: "csat", scope: { route: "chat" }, target: { op: ">=", value: 4.2 }, status: "met", value: 4.31, ci_low: 4.12, ci_high: 4.5, unit: "score" },
        { name: "p95 latency", kpi: "latency_p95", scope: {}, target: { op: "<=", value: 2 }, status: "at_risk", value: 1.93, ci_low: 1.71, ci_high: 2.2, unit: "s" },
        { name: "Error rate in prod", kpi: "error_rate", scope: { environment: "prod" }, target: { op: "<=", value: 0.01 }, status: "missed", value: 0.052, ci_low: 0.031, ci_high: 0.08, unit: "ratio" },
        { name: "Deflection", kpi: "deflection_rate", scope: {}, target: { op: ">=", value: 0.7 }, status: "insufficient_data", value: null, unit: "ratio" },
      ],
    };
    const since = new Date(Date.now() - 15 * 60e3).toISOString();
    const alerts = {
      alerts: [
        { rule: "HighErrorRate", state: "firing", labels: { severity: "page", model: "gpt-4o" }, annotations: { summary: "Error rate above 5% for gpt-4o" }, active_since: since, value: 0.061 },
        { rule: "SlowP95", state: "pending", labels: {}, annotations: {}, active_since: since, value: 2.1 },
        { rule: "OldAlert", state: "resolved", labels: {}, annotations: {}, active_since: since, value: 0 },
      ],
    };
    const json = (body) => (route) => route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(body) });
    await page.route(/\/v1\/goals(\?|$)/, json(goals));
    await page.route(/\/v1\/alerts(\?|$)/, json(alerts));
    try {
      await page.goto(base + "/?range=24h");
      await ready();
      const rows = await page.$$("[data-testid=goals] tbody tr");
      assert(rows.length === 4, `${rows.length} goal rows`);
      const expect = [
        ["CSAT on chat", "met", "Met", "≥ 4.2", "4.31", "CI 4.12 – 4.5"],
        ["p95 latency", "at_risk", "At risk", "≤ 2 s", "1.93 s", "CI 1.71 s – 2.2 s"],
        ["Error rate in prod", "missed", "Missed", "≤ 1%", "5.2%", "CI 3.1% – 8%"],
        ["Deflection", "insufficient_data", "Insufficient data", "≥ 70%", "–", null],
      ];
      for (const [name, status, label, target, value, ci] of expect) {
        const row = `[data-testid=goals] tr[data-goal="${name}"]`;
        assert((await page.getAttribute(row, "data-status")) === status, `${name}: status attribute`);
        assert((await page.textContent(`${row} .badge`)) === label, `${name}: badge`);
        assert((await page.textContent(`${row} td.target`)) === target, `${name}: target '${await page.textContent(`${row} td.target`)}'`);
        assert((await page.textContent(`${row} .goal-value`)) === value, `${name}: value '${await page.textContent(`${row} .goal-value`)}'`);
        if (ci) assert((await page.textContent(`${row} .ci`)) === ci, `${name}: CI '${await page.textContent(`${row} .ci`)}'`);
      }
      // The sparkline of a scoped goal is the real KPI with the scope as a filter.
      await page.waitForSelector(`[data-testid=goals] tr[data-goal="CSAT on chat"] svg.sparkline`);
      const alertItems = await page.$$eval("[data-testid=alerts] li[data-rule]", (els) => els.map((e) => e.getAttribute("data-rule")));
      assert(JSON.stringify(alertItems) === '["HighErrorRate"]', `firing alerts shown: ${alertItems}`);
      const alertText = await page.textContent("[data-testid=alerts]");
      assert(alertText.includes("Error rate above 5% for gpt-4o") && alertText.includes("severity=page") && alertText.includes("1 pending"), alertText);
      await shot("overview-goals-alerts");
    } finally {
      await page.unroute(/\/v1\/goals(\?|$)/);
      await page.unroute(/\/v1\/alerts(\?|$)/);
    }
  });

  await check("KPI explorer: value over the range, group by model, filter, URL state", async () => {
    await page.goto(base + "/kpis?kpi=latency_p95&from=now-24h&step=1h");
    await ready();
    const all = await api("/v1/kpis/latency_p95", { from: "now-24h" });
    assertClose(await page.textContent("[data-testid=summary] tbody tr td.value"), all.series[0].points[0].value, "p95 over 24h");
    assert((await page.$(".chart canvas")) !== null, "no chart drawn");
    await page.check("input[name=group_by][value=model]");
    await ready();
    assert(new URL(page.url()).searchParams.get("group_by") === "model", `URL ${page.url()}`);
    const grouped = await api("/v1/kpis/latency_p95", { from: "now-24h", group_by: "model" });
    const rows = await page.$$eval("[data-testid=summary] tbody tr", (trs) => trs.map((tr) => [tr.children[0].textContent, tr.querySelector("td.value").textContent]));
    assert(rows.length === grouped.series.length, `${rows.length} rows, API has ${grouped.series.length} groups`);
    for (const [model, shown] of rows) {
      const s = grouped.series.find((x) => x.group.model === model);
      assert(s, `no API group for ${model}`);
      assertClose(shown, s.points[0].value, `p95 of ${model}`);
    }
    assert(Number(await page.getAttribute(".chart", "data-series")) === grouped.series.length, "one line per model");
    await shot("explorer-grouped");
    // Reloading the URL gives the same state (shareable links).
    await page.reload();
    await ready();
    assert(await page.isChecked("input[name=group_by][value=model]"), "group_by lost on reload");
    // A filter.
    await page.fill("#filter", "environment:staging");
    await page.press("#filter", "Enter");
    await ready();
    assert(new URL(page.url()).searchParams.get("filter") === "environment:staging", `URL ${page.url()}`);
    const filtered = await api("/v1/kpis/latency_p95", { from: "now-24h", group_by: "model", filter: "environment:staging" });
    const n = await page.$$eval("[data-testid=summary] tbody tr", (trs) => trs.length);
    assert(n === filtered.series.length, `filtered: ${n} rows, API ${filtered.series.length}`);
  });

  await check("KPI explorer: time range preset, percentile band and CSV export", async () => {
    await page.goto(base + "/kpis?kpi=latency_p95&from=now-24h&step=auto");
    await ready();
    await page.click(".range-picker button[data-range='7d']");
    await ready();
    assert(new URL(page.url()).searchParams.get("from") === "now-7d", `URL ${page.url()}`);
    const week = await api("/v1/kpis/latency_p95", { from: "now-7d" });
    assertClose(await page.textContent("[data-testid=summary] tbody tr td.value"), week.series[0].points[0].value, "p95 over 7d");
    await page.selectOption("#band", "pct");
    await ready();
    const status = await page.textContent("[data-testid=status]");
    assert(status.includes("band: p50–p99"), `status: ${status}`);
    await page.goto(base + "/kpis?kpi=error_rate&from=now-24h&step=1h&group_by=route");
    await ready();
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("text=Export CSV")]);
    const file = join(outDir, "error_rate.csv");
    await download.saveAs(file);
    const lines = readFileSync(file, "utf8").trim().split("\n");
    // The chart's buckets start on a whole hour: ask the API for the same buckets.
    const t0 = lines[1].split(",")[0];
    assert(Date.parse(t0) % 3600e3 === 0, `first bucket ${t0} is not on a whole hour`);
    // ... up to the last bucket the page had (an hour may have begun since).
    const last = lines.slice(1).map((l) => Date.parse(l.split(",")[0])).reduce((a, b) => Math.max(a, b));
    const a = await api("/v1/kpis/error_rate", { from: t0, to: new Date(last + 60e3).toISOString(), step: "1h", group_by: "route" });
    const points = a.series.reduce((acc, s) => acc + s.points.length, 0);
    assert(lines[0] === "time,route,value,n,ci_low,ci_high,ci_level", `CSV header ${lines[0]}`);
    assert(lines.length === points + 1, `CSV has ${lines.length - 1} rows, the API ${points} points`);
    await shot("explorer-error-rate");
  });

  await check("KPI explorer: a score KPI takes the score's name", async () => {
    await page.goto(base + "/kpis?kpi=score_mean&from=now-24h&step=1h");
    await ready();
    assert((await page.textContent("[data-testid=status]")).includes("enter its name"), "asks for the score name");
    await page.fill("#score-name", "helpfulness");
    await page.press("#score-name", "Enter");
    await ready();
    assert(new URL(page.url()).searchParams.get("name") === "helpfulness", `URL ${page.url()}`);
    const a = await api("/v1/kpis/score_mean", { from: "now-24h", name: "helpfulness" });
    assertClose(await page.textContent("[data-testid=summary] tbody tr td.value"), a.series[0].points[0].value, "mean helpfulness");
  });

  await check("KPI explorer: group by a record attribute", async () => {
    await page.goto(base + "/kpis?kpi=error_rate&from=now-24h&step=1h");
    await ready();
    await page.fill("#group-attribute", "tenant");
    await page.press("#group-attribute", "Enter");
    await ready();
    assert(new URL(page.url()).searchParams.get("group_by") === "attributes.tenant", `URL ${page.url()}`);
    const a = await api("/v1/kpis/error_rate", { from: "now-24h", group_by: "attributes.tenant" });
    const rows = await page.$$eval("[data-testid=summary] tbody tr", (trs) => trs.map((tr) => [tr.children[0].textContent, tr.querySelector("td.value").textContent]));
    assert(rows.length === a.series.length && rows.length === 2, `${rows.length} rows, API has ${a.series.length} groups`);
    const acme = a.series.find((x) => x.group["attributes.tenant"] === "acme");
    assertClose(rows.find(([t]) => t === "acme")?.[1], acme.points[0].value, "error rate of tenant acme");
    await page.reload();
    await ready();
    assert((await page.inputValue("#group-attribute")) === "attributes.tenant", "attribute group lost on reload");
  });

  await check("KPI explorer: a chart of more than 10,000 points stays interactive", async () => {
    await page.goto(base + "/kpis?kpi=calls&from=now-8d&step=1m&band=none");
    await ready();
    const points = Number(await page.getAttribute(".chart", "data-points"));
    assert(points >= 10_000, `${points} points`);
    const box = await (await page.$(".chart .u-over")).boundingBox();
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    const first = await page.textContent(".chart-readout");
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    const second = await page.textContent(".chart-readout");
    assert(first.includes("all:") && second.includes("all:") && first !== second, `readout '${first}' then '${second}'`);
    // Drag to zoom into a slice, then double-click to reset.
    await page.mouse.move(box.x + box.width * 0.4, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.45, box.y + 20, { steps: 5 });
    await page.mouse.up();
    const zoomed = await page.evaluate(() => document.querySelector(".chart .u-over") !== null);
    assert(zoomed, "chart gone after zoom");
    await shot("explorer-10k-points");
  });

  await check("calls: list matches the API, keyboard moves and opens, cursor pagination", async () => {
    await page.goto(base + "/calls?range=24h");
    await ready();
    const first = await api("/v1/calls", { from: "now-24h", limit: "50" });
    const ids = await page.$$eval("tr.row", (trs) => trs.map((tr) => tr.getAttribute("data-call")));
    assert(JSON.stringify(ids) === JSON.stringify(first.calls.map((c) => c.id)), "rows differ from GET /v1/calls");
    const latency = await page.textContent("tr.row:first-child td:nth-child(5)");
    assertClose(latency, first.calls[0].duration_ms / 1000, "first row latency");
    await shot("calls");
    // Pagination.
    await page.click("a[rel=next]");
    await ready();
    const second = await api("/v1/calls", { from: "now-24h", limit: "50", cursor: first.next_cursor });
    const ids2 = await page.$$eval("tr.row", (trs) => trs.map((tr) => tr.getAttribute("data-call")));
    assert(JSON.stringify(ids2) === JSON.stringify(second.calls.map((c) => c.id)), "page 2 differs from the API's");
    await page.click("a[rel=prev]");
    await ready();
    assert((await page.getAttribute("tr.row", "data-call")) === ids[0], "back to page 1");
    // Keyboard: focus the first row, two rows down, Enter opens that row's conversation.
    await page.focus("tr.row");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    const selected = await page.$eval("tr.row[aria-selected=true]", (tr) => [tr.getAttribute("data-call"), tr.getAttribute("data-conversation"), document.activeElement === tr]);
    assert(selected[0] === ids[2] && selected[2], `selected ${selected}`);
    await page.keyboard.press("ArrowUp");
    assert((await page.getAttribute("tr.row[aria-selected=true]", "data-call")) === ids[1], "ArrowUp");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await ready();
    assert(decodeURIComponent(new URL(page.url()).pathname) === `/conversations/${selected[1]}`, `Enter went to ${page.url()}`);
  });

  await check("calls: filters narrow the list", async () => {
    await page.goto(base + "/calls?range=24h");
    await ready();
    await page.fill("#f-model", "claude-sonnet-4");
    await page.press("#f-model", "Enter");
    await ready();
    const want = await api("/v1/calls", { from: "now-24h", limit: "50", model: "claude-sonnet-4" });
    const models = await page.$$eval("tr.row td:nth-child(2)", (tds) => tds.map((td) => td.textContent));
    assert(models.length === want.calls.length && models.length > 0, `${models.length} rows, API ${want.calls.length}`);
    assert(models.every((m) => m === "claude-sonnet-4"), `models ${[...new Set(models)]}`);
    await page.goto(base + "/calls?range=24h");
    await ready();
    await page.selectOption("#f-status", "error");
    await ready();
    const errors = await api("/v1/calls", { from: "now-24h", limit: "50", status: "error" });
    const ids = await page.$$eval("tr.row", (trs) => trs.map((tr) => tr.getAttribute("data-call")));
    assert(ids.length > 0 && JSON.stringify(ids) === JSON.stringify(errors.calls.map((c) => c.id)), `error calls: ${ids.length} shown, API ${errors.calls.length}`);
  });

  await check("conversation: calls in order with latency, tokens, cost, scores, feedback, outcomes", async () => {
    await page.goto(base + "/conversations/conv-001");
    await ready();
    const conv = await api("/v1/conversations/conv-001");
    const cards = await page.$$eval(".call-card", (els) => els.map((e) => e.getAttribute("data-call")));
    assert(JSON.stringify(cards) === JSON.stringify(conv.calls.map((c) => c.id)), `cards ${cards}`);
    assertClose(await page.textContent("[data-stat=calls] .stat-value"), conv.summary.calls, "summary calls");
    assertClose(await page.textContent("[data-stat=tokens] .stat-value"), conv.summary.tokens, "summary tokens");
    assertClose(await page.textContent("[data-stat=cost] .stat-value"), conv.summary.cost_usd, "summary cost");
    for (const c of conv.calls) {
      const card = `.call-card[data-call="${c.id}"]`;
      assertClose(await page.textContent(`${card} dd.latency`), c.duration_ms / 1000, `${c.id} latency`);
      const tokens = await page.textContent(`${card} dd.tokens`);
      assert(tokens === `${c.input_tokens.toLocaleString("en-US")} / ${c.output_tokens.toLocaleString("en-US")}`, `${c.id} tokens ${tokens}`);
      if (c.cost_usd !== undefined) assertClose((await page.textContent(`${card} dd.cost`)).replace(" (priced)", ""), c.cost_usd, `${c.id} cost`);
      for (const s of conv.scores.filter((x) => x.call_id === c.id)) {
        assert((await page.$(`${card} li[data-score="${s.name}"]`)) !== null, `${c.id}: score ${s.name} missing`);
      }
    }
    const text = await page.textContent("main");
    assert(text.includes("[REDACTED:email]") && !text.includes("jane@example.com"), "the stored (redacted) input is shown");
    assert(text.includes("Relevant and polite"), "judge comment shown");
    for (const o of conv.outcomes) assert((await page.$(`[data-testid=outcomes] li[data-outcome="${o.name}"]`)) !== null, `outcome ${o.name}`);
    assert((await page.$('[data-testid=feedback] li[data-score="csat"]')) !== null, "conversation CSAT shown");
    await page.focus(".call-card");
    await page.keyboard.press("ArrowDown");
    if (conv.calls.length > 1) {
      assert((await page.getAttribute(".call-card[aria-selected=true]", "data-call")) === conv.calls[1].id, "ArrowDown on the calls");
    }
    await shot("conversation");
  });

  await check("routes: deep links reload, unknown pages and files", async () => {
    await page.goto(base + "/kpis?kpi=error_rate&from=now-7d&step=1d&group_by=environment");
    await ready();
    assert((await page.inputValue("#kpi")) === "error_rate" && (await page.isChecked("input[value=environment]")), "deep link state");
    await page.goto(base + "/no/such/page");
    await page.waitForSelector("text=No page at this address.");
    const missing = await fetch(base + "/assets/missing-file.js");
    assert(missing.status === 404, `missing asset: ${missing.status}`);
    const html = await fetch(base + "/calls");
    assert(html.status === 200 && html.headers.get("content-type").startsWith("text/html") && html.headers.get("cache-control") === "no-cache", "SPA fallback headers");
    const js = /src="(\/assets\/[^"]+\.js)"/.exec(await html.text())[1];
    const asset = await fetch(base + js);
    assert(asset.headers.get("content-type").startsWith("text/javascript") && asset.headers.get("cache-control").includes("immutable"), "asset headers");
    const api404 = await fetch(base + "/v1/nothing-here");
    assert(api404.status === 404 && (await api404.json()).error.code === "not_found", "unknown API path");
  });

  await check("mobile width (390x844): pages fit the screen", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [name, path] of [["overview", "/?range=24h"], ["explorer", "/kpis?kpi=latency_p95&from=now-24h&step=1h&group_by=model"], ["calls", "/calls?range=24h"], ["conversation", "/conversations/conv-001"]]) {
      await page.goto(base + path);
      await ready();
      await shot(`mobile-${name}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert(overflow <= 1, `${name}: the page is ${overflow}px wider than the screen`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await check("empty project: empty states with the OTLP endpoint and a curl", async () => {
    const p2 = watch(await context.newPage());
    await p2.goto(base + "/");
    await p2.fill("#api-key", emptyKey);
    await p2.click("button[type=submit]");
    await p2.waitForSelector("main[data-ready]");
    const text = await p2.textContent("[data-testid=empty-state]");
    assert(text.includes(`curl -s ${base}/v1/events`) && text.includes(`OTEL_EXPORTER_OTLP_ENDPOINT=${base}`), text);
    await p2.screenshot({ path: join(outDir, "empty-overview.png"), fullPage: true });
    await p2.goto(base + "/calls");
    await p2.waitForSelector("main[data-ready]");
    assert((await p2.$("[data-testid=empty-state]")) !== null, "calls page empty state");
    await p2.goto(base + "/kpis?kpi=latency_p95&from=now-24h");
    await p2.waitForSelector("main[data-ready]");
    assert((await p2.$("[data-testid=empty-state]")) !== null, "explorer empty state");
    await p2.close();
  });

  await check("admin key: chooses a project", async () => {
    const p3 = watch(await context.newPage());
    await p3.goto(base + "/");
    await p3.fill("#api-key", ADMIN);
    await p3.click("button[type=submit]");
    await p3.selectOption("#project", "shop");
    await p3.click("text=Open project");
    await p3.waitForSelector("main[data-ready]");
    assert((await p3.textContent("[data-testid=project] strong")) === "shop", "admin sees shop");
    const calls = await api("/v1/kpis/calls", { from: "now-24h" });
    assertClose(await p3.textContent(".tile[data-kpi=calls] .tile-value"), calls.series[0].points[0].value, "admin's calls tile");
    await p3.close();
  });

  await check("no console errors on any page", async () => {
    assert(consoleErrors.length === 0, consoleErrors.join("\n"));
  });

  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
  server.kill("SIGTERM");
  const code = await new Promise((r) => server.on("exit", r));
  await check("server stops cleanly", async () => assert(code === 0, `exit ${code}\n${server.stderrText().slice(-2000)}`));
}

try {
  await main();
} catch (e) {
  results.push({ name: "setup", ok: false });
  console.log(`FAIL setup: ${e?.stack ?? e}`);
} finally {
  if (serverProc && serverProc.exitCode === null) serverProc.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
}
const failed = results.filter((r) => !r.ok).length;
console.log(`screenshots in ${outDir}`);
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
