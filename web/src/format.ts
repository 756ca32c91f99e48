// Number and time formatting by KPI unit. Shown numbers keep three significant digits (or are
// exact counts), so a value read off the page is within 0.5% of the API's.

const counts = new Set(["calls", "tokens", "conversations", "records"]);

function sig(v: number, digits = 3): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 10 ** digits) return Math.round(v).toLocaleString("en-US");
  const s = Number(v.toPrecision(digits));
  return s.toLocaleString("en-US", { maximumFractionDigits: 12 });
}

export function formatValue(v: number | null | undefined, unit: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  switch (unit) {
    case "ratio":
      return `${sig(v * 100)}%`;
    case "s":
      return Math.abs(v) < 1 ? `${sig(v * 1000)} ms` : `${sig(v)} s`;
    case "ms":
      return `${sig(v)} ms`;
    case "USD":
      return v < 0 ? `−$${sig(-v)}` : `$${sig(v)}`;
    default:
      if (counts.has(unit) && Number.isInteger(v)) return v.toLocaleString("en-US");
      return sig(v) + (unit && !["score", "nps"].includes(unit) ? ` ${unit}` : "");
  }
}

// A short form for chart axes.
export function formatAxis(v: number, unit: string): string {
  if (unit === "ratio") return `${Number((v * 100).toPrecision(3))}%`;
  if (unit === "s") return Math.abs(v) < 1 && v !== 0 ? `${Number((v * 1000).toPrecision(3))}ms` : `${Number(v.toPrecision(3))}s`;
  if (unit === "USD") return `$${Number(v.toPrecision(3))}`;
  const a = Math.abs(v);
  if (a >= 1e9) return `${Number((v / 1e9).toPrecision(3))}G`;
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

export function formatCi(low: number | null | undefined, high: number | null | undefined, unit: string, level?: number): string {
  if (low === null || low === undefined || high === null || high === undefined) return "";
  const pct = level ? `${Math.round(level * 100)}% CI ` : "CI ";
  return `${pct}${formatValue(low, unit)} – ${formatValue(high, unit)}`;
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return "–";
  return ms < 1000 ? `${sig(ms)} ms` : `${sig(ms / 1000)} s`;
}

export function formatInt(n: number | undefined): string {
  return n === undefined ? "–" : n.toLocaleString("en-US");
}

export function formatUsd(v: number | undefined): string {
  return v === undefined ? "–" : formatValue(v, "USD");
}

// "2026-11-26 10:00:00" in UTC (the API's times are UTC).
export function formatTime(iso: string | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z").replace("Z", "");
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`;
  if (seconds < 86400 * 2) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

export const unitLabels: Record<string, string> = {
  ratio: "%",
  s: "seconds",
  USD: "US dollars",
};

// A number without a known unit (an alert's value): four significant digits.
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  return String(Number(v.toPrecision(4)));
}
