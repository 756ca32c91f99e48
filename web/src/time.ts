// Time ranges as the API takes them: RFC 3339, Unix seconds, or relative ("now-24h", "-7d").

export const PRESETS: { label: string; seconds: number }[] = [
  { label: "1h", seconds: 3600 },
  { label: "6h", seconds: 6 * 3600 },
  { label: "24h", seconds: 86400 },
  { label: "7d", seconds: 7 * 86400 },
  { label: "30d", seconds: 30 * 86400 },
];

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 7 * 86400 };

// Seconds since the epoch for an API time expression, or null when it is not one we understand
// (the server then reports the problem).
export function parseTime(expr: string, nowSeconds = Date.now() / 1000): number | null {
  const e = expr.trim();
  if (e === "" || e === "now") return nowSeconds;
  const rel = /^(?:now)?-(\d+(?:\.\d+)?)([smhdw])$/.exec(e);
  if (rel) return nowSeconds - Number(rel[1]) * UNITS[rel[2]];
  if (/^\d+(\.\d+)?$/.test(e)) return Number(e);
  const t = Date.parse(e);
  return Number.isNaN(t) ? null : t / 1000;
}

export function rangeSeconds(from: string, to: string): number | null {
  const now = Date.now() / 1000;
  const f = parseTime(from, now);
  const t = parseTime(to || "now", now);
  return f === null || t === null || t <= f ? null : t - f;
}

const STEPS_MIN = [1, 5, 15, 60, 360, 1440];

// The smallest step (whole minutes, as the API wants) that gives at most `maxPoints` buckets.
export function autoStep(seconds: number, maxPoints: number): string {
  for (const m of STEPS_MIN) {
    if (seconds / (m * 60) <= maxPoints) return stepLabel(m);
  }
  return `${Math.ceil(seconds / maxPoints / 86400)}d`;
}

// Steps for sparklines (about 24-30 buckets) whose buckets line up with the store's hour and
// day rollups, so a series over 30 days of 10M calls reads a few dozen rollup rows per bucket.
const SPARK_STEP_SECONDS: Record<string, number> = { "1h": 120, "6h": 900, "24h": 3600, "7d": 21600, "30d": 86400 };

// The window of a sparkline for a preset range: `from` rounded down to a multiple of the step
// (Unix seconds), and the step.
export function sparkWindow(range: string, seconds: number, nowSeconds = Date.now() / 1000): { from: string; step: string } {
  const step = SPARK_STEP_SECONDS[range] ?? Math.max(60, Math.round(seconds / 30 / 60) * 60);
  const from = Math.floor((nowSeconds - seconds) / step) * step;
  return { from: String(from), step: stepLabel(step / 60) };
}

function stepLabel(m: number): string {
  if (m % 1440 === 0) return `${m / 1440}d`;
  if (m % 60 === 0) return `${m / 60}h`;
  return `${m}m`;
}

// "15m", "1h", "1d", "300" (seconds) -> seconds; null when not understood.
export function stepSeconds(step: string): number | null {
  const m = /^(\d+)([smhdw]?)$/.exec(step.trim());
  return m ? Number(m[1]) * (m[2] ? UNITS[m[2]] : 1) : null;
}

// For a range ending now with a step of an hour or more, `from` moved back to a multiple of the
// step (Unix seconds), so each bucket reads whole hour or day rollups; otherwise `from` as given.
export function alignFrom(from: string, to: string, step: string | undefined): string {
  const seconds = step ? stepSeconds(step) : null;
  if (!seconds || seconds < 3600 || (to && to !== "now") || !/^(now)?-/.test(from.trim())) return from;
  const f = parseTime(from);
  return f === null ? from : String(Math.floor(f / seconds) * seconds);
}

export function toEpochSeconds(iso: string): number {
  return Date.parse(iso) / 1000;
}
