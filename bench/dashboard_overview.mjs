#!/usr/bin/env node
// How long the dashboard's overview takes to render against a large store: starts
// `yardstick serve` on an existing SQLite store (e.g. the one `kpi_bench` leaves behind), signs
// in with the admin key, picks the project, and loads the overview N times in headless Chromium,
// timing each from navigation start until every headline tile has its value and sparkline
// (the page marks <main data-ready>). Prints min / median / max.
//
//   node bench/dashboard_overview.mjs --binary build/release/src/cli/yardstick \
//       --db /tmp/kpi10m/bench.db --project bench --range 30d [--runs 7]
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const require = createRequire(new URL("../web/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const binary = arg("--binary");
const db = arg("--db");
const project = arg("--project", "bench");
const range = arg("--range", "30d");
const runs = Number(arg("--runs", "7"));
if (!binary || !db) {
  console.error("usage: dashboard_overview.mjs --binary yardstick --db store.db [--project P] [--range 30d] [--runs 7]");
  process.exit(2);
}

const ADMIN = "bench-admin-key-0123456789abcdef";
const work = mkdtempSync(join(tmpdir(), "yardstick-overview-bench-"));
const config = join(work, "yardstick.yaml");
writeFileSync(config, `server: {data_dir: ${work}/data}\nstorage: {sqlite: {path: ${db}}}\n`);
const server = spawn(binary, ["serve", "--config", config, "--listen", "127.0.0.1:0"], {
  env: { ...process.env, YARDSTICK_ADMIN_KEY: ADMIN },
  stdio: ["ignore", "ignore", "pipe"],
});
const port = await new Promise((resolve, reject) => {
  let err = "";
  server.stderr.on("data", (d) => {
    err += d;
    const m = /"address":"127\.0\.0\.1:(\d+)"/.exec(err);
    if (m) resolve(Number(m[1]));
  });
  server.on("exit", (c) => reject(new Error(`server exited ${c}: ${err}`)));
});
const base = `http://127.0.0.1:${port}`;
const userDataDir = mkdtempSync(join(tmpdir(), "yardstick-chromium-"));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1280, height: 800 },
});
const page = context.pages()[0] ?? (await context.newPage());
await page.goto(base + "/");
await page.fill("#api-key", ADMIN);
await page.click("button[type=submit]");
await page.selectOption("#project", project);
await page.click("text=Open project");
await page.waitForSelector("main[data-ready]", { timeout: 60_000 });

const times = [];
for (let i = 0; i < runs; i++) {
  await page.goto(`${base}/?range=${range}`);
  // Polled every animation frame: the time since navigation start when the page became ready.
  const t = await page.waitForFunction(() => document.querySelector("main[data-ready]") && performance.now(), null, { timeout: 60_000, polling: "raf" });
  times.push(await t.jsonValue());
}
const calls = await page.textContent(".tile[data-kpi=calls] .tile-value");
await page.screenshot({ path: join(tmpdir(), "overview-bench.png") });
await context.close();
server.kill("SIGTERM");
await new Promise((r) => server.on("exit", r));
rmSync(userDataDir, { recursive: true, force: true });
rmSync(work, { recursive: true, force: true });
times.sort((a, b) => a - b);
console.log(`overview (${range}, ${calls} calls shown), ${runs} loads: min ${times[0].toFixed(0)} ms, median ${times[Math.floor(runs / 2)].toFixed(0)} ms, max ${times[runs - 1].toFixed(0)} ms`);
