#!/usr/bin/env node
// End-to-end test of the dashboard's Eval page in headless Chromium: starts the real
// `yardstick serve`, runs the real `yardstick eval` on a copy of examples/eval/qa (the baseline
// and the candidate suite, each with a server section, so both runs are posted to
// /v1/eval-runs), then checks the list, one run and the comparison of the two against the API's
// answers, at desktop and phone width, with no console errors. Screenshots go to --out.
//
//   node web/tests/e2e_evals.mjs --binary build/dev/src/cli/yardstick [--out DIR] [--chromium PATH]
//
// Prints one line per check and "N passed, M failed"; exits 1 when a check failed or Chromium
// is missing (it never skips).
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { assert, check, httpClient, results, startServer as startYardstick, testOptions } from "./harness.mjs";

const { binary, outDir, chromiumPath } = testOptions("e2e_evals", "dashboard-e2e-evals-output");
const examples = resolve(dirname(fileURLToPath(import.meta.url)), "../../examples/eval/qa");

const ADMIN = "e2e-admin-key-0123456789abcdef";
const work = mkdtempSync(join(tmpdir(), "yardstick-evals-e2e-"));

const startServer = () => startYardstick(binary, ["--listen", "127.0.0.1:0", "--data-dir", join(work, "data")], { YARDSTICK_ADMIN_KEY: ADMIN });

let base = "";
let serverProc = null;
const http = httpClient(() => base);

// A number as the page shows it ("66", "0.025", "3.51e-3", "–" for none).
function parseShown(text) {
  const t = text.trim().replace(/,/g, "").replace("−", "-");
  if (t === "–") return null;
  const v = Number(t);
  if (!Number.isFinite(v)) throw new Error(`cannot read a number from '${text}'`);
  return v;
}
// Shown numbers keep 3 significant digits: within 0.5% of the API's.
function assertClose(shown, expected, what) {
  const v = parseShown(shown);
  if (expected === null || expected === undefined) {
    assert(v === null, `${what}: shows '${shown}', the API has no value`);
    return;
  }
  assert(v !== null && Math.abs(v - expected) <= 0.005 * Math.abs(expected) + 1e-12, `${what}: shows '${shown}' (${v}), the API says ${expected}`);
}
// "[lo – hi]" or "lo – hi" against the API's bounds.
function assertInterval(shown, low, high, what) {
  const t = shown.trim().replace(/^\[/, "").replace(/\]$/, "");
  if (low === null || high === null) {
    assert(t === "–", `${what}: shows '${shown}', the API has no interval`);
    return;
  }
  const parts = t.split(" – ");
  assert(parts.length === 2, `${what}: cannot read an interval from '${shown}'`);
  assertClose(parts[0], low, `${what} low`);
  assertClose(parts[1], high, `${what} high`);
}

// Runs `yardstick eval` on a suite of the copied example; 0 (gate passed) or 1 (failed) are
// both a finished run, 2 is an error.
function evalSuite(dir, file, key) {
  const r = spawnSync(binary, ["eval", "--no-progress", join(dir, file)], {
    env: { ...process.env, YS_E2E_EVALS_KEY: key },
    encoding: "utf8",
    timeout: 120_000,
  });
  assert(r.status === 0 || r.status === 1, `yardstick eval ${file} exited ${r.status}:\n${r.stderr}`);
  assert(/ stored at /.test(r.stderr), `yardstick eval ${file} did not post the run:\n${r.stderr}`);
}

async function main() {
  const server = await startServer();
  serverProc = server;
  base = `http://127.0.0.1:${server.port}`;
  console.log(`server on ${base}, data in ${work}`);
  const { key } = await http("POST", "/v1/projects", ADMIN, { name: "shop" });

  // The example suites, pushed to this server.
  const qa = join(work, "qa");
  cpSync(examples, qa, { recursive: true });
  for (const f of ["baseline.yaml", "suite.yaml"]) {
    appendFileSync(join(qa, f), `\nserver: {url: "${base}", api_key_env: YS_E2E_EVALS_KEY}\n`);
  }
  evalSuite(qa, "baseline.yaml", key);
  // Run ids and creation times have one-second resolution: the candidate is made newer.
  await new Promise((r) => setTimeout(r, 1100));
  evalSuite(qa, "suite.yaml", key);
  const list = (await http("GET", "/v1/eval-runs", key)).eval_runs;
  assert(list.length === 2, `${list.length} runs listed`);
  const baseline = list.find((r) => r.suite === "qa-baseline");
  const candidate = list.find((r) => r.suite === "qa-candidate");
  assert(baseline && candidate, `runs: ${list.map((r) => r.id).join(", ")}`);
  const candidateDoc = await http("GET", `/v1/eval-runs/${encodeURIComponent(candidate.id)}`, key);
  const cmp = await http("GET", `/v1/eval-runs/compare?a=${encodeURIComponent(baseline.id)}&b=${encodeURIComponent(candidate.id)}`, key);
  const significant = cmp.metrics.filter((m) => m.significant).map((m) => m.metric);
  assert(significant.includes("latency"), `the example's latency difference is significant (significant: ${significant.join(", ")})`);

  const userDataDir = mkdtempSync(join(tmpdir(), "yardstick-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 800 },
  });
  context.setDefaultTimeout(20_000);
  // Console errors of every page. Expected: the browser's "Failed to load resource" lines for
  // the optional capability probes of other pages (404 from /v1/goals, /v1/alerts and the like
  // on a server without them), and the 404 this test makes /v1/eval-runs answer on purpose.
  const consoleErrors = [];
  let hidingEvals = false;
  const allowed = (msg) => {
    const at = msg.location()?.url ?? "";
    return /status of 404/.test(msg.text()) && (/\/v1\/(goals|alerts|reports)(\?|$)/.test(at) || (hidingEvals && /\/v1\/eval-runs(\?|$)/.test(at)));
  };
  const watch = (p) => {
    p.on("console", (msg) => {
      if (msg.type() === "error" && !allowed(msg)) consoleErrors.push(`${msg.text()} at ${msg.location()?.url ?? "?"}`);
    });
    p.on("pageerror", (err) => consoleErrors.push(`uncaught: ${err.message}`));
    return p;
  };
  const page = watch(context.pages()[0] ?? (await context.newPage()));
  const ready = () => page.waitForSelector("main[data-ready]");
  const shot = (name) => page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true });

  await check("sign-in: the nav links the Eval page", async () => {
    await page.goto(base + "/");
    await page.fill("#api-key", key);
    await page.click("button[type=submit]");
    await ready();
    const link = await page.$("nav a[data-nav='/evals']");
    assert(link !== null, "no Evals link in the nav");
    assert((await link.textContent()) === "Evals", "link text");
  });

  await check("list: both runs with the API's headline metrics, intervals and gate", async () => {
    await page.goto(base + "/evals");
    await ready();
    await shot("evals-list");
    const rows = await page.$$("[data-testid=runs] tbody tr");
    assert(rows.length === 2, `${rows.length} rows`);
    for (const r of list) {
      const row = `[data-testid=runs] tr[data-run="${r.id}"]`;
      assert((await page.getAttribute(`${row} [data-gate]`, "data-gate")) === r.gate, `${r.id}: gate`);
      for (const m of r.metrics) {
        const at = `${row} [data-metric="${m.id}"]`;
        assertClose(await page.textContent(`${at} [data-col=value]`), m.value, `${r.id} ${m.id}`);
        assertInterval(await page.textContent(`${at} [data-col=ci]`), m.ci_low, m.ci_high, `${r.id} ${m.id} CI`);
      }
    }
  });

  await check("one run: metrics with intervals, gate, slices with intervals and gaps", async () => {
    await page.click(`a[href="/evals/${encodeURIComponent(candidate.id)}"]`);
    await ready();
    await shot("evals-run");
    assert(page.url().endsWith(`/evals/${encodeURIComponent(candidate.id)}`), page.url());
    for (const m of candidateDoc.metrics) {
      const at = `[data-testid=metrics] tr[data-metric="${m.id}"]`;
      assertClose(await page.textContent(`${at} [data-col=value]`), m.aggregate.value, `${m.id} value`);
      assertInterval(await page.textContent(`${at} [data-col=ci]`), m.aggregate.ci_low, m.aggregate.ci_high, `${m.id} CI`);
      assert(Number(await page.textContent(`${at} [data-col=n]`)) === m.aggregate.n, `${m.id} n`);
    }
    const conditions = await page.$$("[data-testid=gate] tbody tr");
    assert(conditions.length === candidateDoc.gate.conditions.length, `${conditions.length} gate rows`);
    for (const g of candidateDoc.gate.conditions) {
      const state = await page.getAttribute(`[data-testid=gate] tr[data-condition="${g.condition}"] [data-gate]`, "data-gate");
      assert(state === (g.passed ? "passed" : "failed"), `${g.condition}: ${state}`);
    }
    assert(candidateDoc.slices.length > 0, "the example has slices");
    for (const s of candidateDoc.slices) {
      for (const m of candidateDoc.metrics) {
        const at = `[data-testid="slices-${s.field}"] tr[data-slice="${s.field}=${s.value}"] [data-metric="${m.id}"]`;
        const a = s.metrics[m.id];
        assertClose(await page.textContent(`${at} [data-col=value]`), a.value, `${s.field}=${s.value} ${m.id}`);
        assertInterval(await page.textContent(`${at} [data-col=ci]`), a.ci_low, a.ci_high, `${s.field}=${s.value} ${m.id} CI`);
      }
    }
    for (const g of candidateDoc.gaps) {
      assertClose(await page.textContent(`[data-testid="gaps-${g.field}"] [data-gap="${g.metric}"] [data-col=gap]`), g.gap, `gap of ${g.metric} by ${g.field}`);
    }
  });

  await check("compare: two runs selected on the list, side by side with the API's tests", async () => {
    await page.goto(base + "/evals");
    await ready();
    assert(await page.isDisabled("[data-testid=compare]"), "compare is enabled with nothing selected");
    // Selected newest first: the page still makes the older run the baseline.
    await page.check(`input[data-select="${candidate.id}"]`);
    await page.check(`input[data-select="${baseline.id}"]`);
    await page.click("[data-testid=compare]");
    await ready();
    await page.waitForSelector("[data-testid=comparison]");
    await shot("evals-compare");
    const u = new URL(page.url());
    assert(u.pathname === "/evals/compare" && u.searchParams.get("a") === baseline.id && u.searchParams.get("b") === candidate.id, page.url());
    const rows = await page.$$("[data-testid=comparison] tbody tr");
    assert(rows.length === cmp.metrics.length, `${rows.length} comparison rows`);
    for (const m of cmp.metrics) {
      const at = (col) => `[data-testid=comparison] tr[data-metric="${m.metric}"] [data-col=${col}]`;
      assertClose(await page.textContent(at("delta")), m.delta, `${m.metric} delta`);
      assertInterval(await page.textContent(at("delta_ci")), m.delta_ci_low, m.delta_ci_high, `${m.metric} delta CI`);
      assertClose(await page.textContent(at("p_adjusted")), m.p_adjusted, `${m.metric} adjusted p`);
      assertClose(await page.textContent(at("p")), m.p_value, `${m.metric} p`);
      assert((await page.getAttribute(`${at("verdict")} .badge`, "data-significant")) === String(m.significant), `${m.metric} significance`);
      const a = baseline.metrics.find((x) => x.id === m.metric);
      const b = candidate.metrics.find((x) => x.id === m.metric);
      assertClose((await page.textContent(at("a"))).split(" [")[0], a.value, `${m.metric} A`);
      assertClose((await page.textContent(at("b"))).split(" [")[0], b.value, `${m.metric} B`);
    }
    assert((await page.textContent(`[data-testid=comparison] tr[data-metric=latency] [data-col=verdict]`)) === "improvement", "latency is an improvement");
  });

  await check("phone width (390x844): the Eval pages fit the screen", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const pages = [
      ["list", "/evals"],
      ["run", `/evals/${encodeURIComponent(candidate.id)}`],
      ["compare", `/evals/compare?a=${encodeURIComponent(baseline.id)}&b=${encodeURIComponent(candidate.id)}`],
    ];
    for (const [name, path] of pages) {
      await page.goto(base + path);
      await ready();
      await shot(`mobile-evals-${name}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert(overflow <= 1, `${name}: the page is ${overflow}px wider than the screen`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await check("a server without eval runs: no Evals link", async () => {
    const p2 = watch(await context.newPage());
    hidingEvals = true;
    await p2.route(/\/v1\/eval-runs(\?|$)/, (route) => route.fulfill({ status: 404, contentType: "application/json", body: JSON.stringify({ error: { code: "not_found", message: "no such endpoint" } }) }));
    await p2.goto(base + "/");
    await p2.fill("#api-key", key);
    await p2.click("button[type=submit]");
    await p2.waitForSelector("main[data-ready]");
    assert((await p2.$("nav a[data-nav='/calls']")) !== null, "the nav is there");
    assert((await p2.$("nav a[data-nav='/evals']")) === null, "an Evals link without the API");
    await p2.close();
    hidingEvals = false;
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
