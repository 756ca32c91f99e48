// What the dashboard's end-to-end tests share: their command line, starting the real
// `yardstick serve`, an HTTP client for its API, and named checks.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";

// --binary (or YARDSTICK_BINARY), --out (default `defaultOut`), --chromium (or CHROMIUM, default
// /usr/bin/chromium). Exits 1 when the binary or Chromium is missing: the tests never skip.
export function testOptions(tool, defaultOut) {
  const args = process.argv.slice(2);
  const arg = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
  };
  const binary = arg("--binary", process.env.YARDSTICK_BINARY);
  const outDir = resolve(arg("--out", defaultOut));
  const chromiumPath = arg("--chromium", process.env.CHROMIUM ?? "/usr/bin/chromium");
  if (!binary || !existsSync(binary)) {
    console.error(`${tool}: --binary must name the yardstick binary (got '${binary ?? ""}')`);
    process.exit(1);
  }
  if (!existsSync(chromiumPath)) {
    console.error(`${tool}: Chromium not found at ${chromiumPath}; install Debian's chromium package (scripts/install-deps)`);
    process.exit(1);
  }
  mkdirSync(outDir, { recursive: true });
  return { binary, outDir, chromiumPath };
}

// Starts `binary serve ...serveArgs` and resolves to the process once its "listening" log line
// names the port (proc.port); proc.stderrText() is its log so far, proc.exitCodeSeen its exit
// code once it exited.
export function startServer(binary, serveArgs, env) {
  return new Promise((resolveStart, rejectStart) => {
    const proc = spawn(binary, ["serve", ...serveArgs], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    const timer = setTimeout(() => rejectStart(new Error(`server did not start in 60 s:\n${stderr}`)), 60_000);
    proc.stderr.on("data", (d) => {
      stderr += d;
      const m = /"listening".*?"address":"127\.0\.0\.1:(\d+)"|"address":"127\.0\.0\.1:(\d+)".*?"listening"/.exec(stderr);
      if (m && !proc.port) {
        proc.port = Number(m[1] ?? m[2]);
        clearTimeout(timer);
        resolveStart(proc);
      }
    });
    proc.stdout.on("data", () => {});
    proc.on("exit", (code) => {
      clearTimeout(timer);
      proc.exitCodeSeen = code;
      if (!proc.port) rejectStart(new Error(`server exited with ${code}:\n${stderr}`));
    });
    proc.stderrText = () => stderr;
  });
}

// http(method, path, key, body): a JSON request to the server at baseUrl(); throws on a non-2xx
// answer; resolves to the parsed body (null when empty).
export function httpClient(baseUrl) {
  return async (method, path, key, body) => {
    const res = await fetch(baseUrl() + path, {
      method,
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

// Named checks: each prints "ok" or "FAIL" with the error; `results` collects them.
export const results = [];
export async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}: ${e?.stack ?? e}`);
  }
}
export function assert(cond, message) {
  if (!cond) throw new Error(message);
}
