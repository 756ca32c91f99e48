// KPI explorer: any KPI as a time series over a range and step, with its confidence band or a
// percentile band, grouped by dimensions and record attributes, filtered; the URL holds the whole state, and the
// series export as CSV.
import { get, type KpiAnswer, type KpiInfo, type KpiSeries } from "../api";
import { timeChart, type Chart, type ChartLine } from "../components/chart";
import { emptyState } from "../components/empty_state";
import { h } from "../dom";
import { formatCi, formatValue } from "../format";
import { navigate, type PageContext } from "../router";
import { alignFrom, autoStep, PRESETS, rangeSeconds, toEpochSeconds } from "../time";

export const DIMENSIONS = ["model", "route", "prompt_version", "variant", "environment"];
const STEPS = ["auto", "1m", "5m", "15m", "1h", "6h", "1d", "none"];
const MAX_LINES = 12;

interface State {
  kpi: string;
  from: string;
  to: string;
  step: string;
  groupBy: string[];
  filter: string;
  band: string; // ci | pct | none
  confidence: string;
  name: string;
  source: string;
}

function readState(p: URLSearchParams): State {
  const range = p.get("range");
  return {
    kpi: p.get("kpi") ?? "latency_p95",
    from: p.get("from") ?? `now-${range ?? "24h"}`,
    to: p.get("to") ?? "now",
    step: p.get("step") ?? "auto",
    groupBy: (p.get("group_by") ?? "").split(",").filter(Boolean),
    filter: p.get("filter") ?? "",
    band: p.get("band") ?? "ci",
    confidence: p.get("confidence") ?? "0.95",
    name: p.get("name") ?? "",
    source: p.get("source") ?? "",
  };
}

function stateUrl(s: State): string {
  const q = new URLSearchParams();
  q.set("kpi", s.kpi);
  q.set("from", s.from);
  if (s.to && s.to !== "now") q.set("to", s.to);
  q.set("step", s.step);
  if (s.groupBy.length) q.set("group_by", s.groupBy.join(","));
  if (s.filter.trim()) q.set("filter", s.filter.trim());
  q.set("band", s.band);
  if (s.confidence !== "0.95") q.set("confidence", s.confidence);
  if (s.name) q.set("name", s.name);
  if (s.source) q.set("source", s.source);
  return `/kpis?${q}`;
}

// latency_p95 -> {family: "latency", low: "latency_p50", high: "latency_p99"}
function percentileFamily(kpi: string, catalog: KpiInfo[]): { low: string; high: string } | null {
  const m = /^(latency|ttft)_p\d+$/.exec(kpi);
  if (!m) return null;
  const names = new Set(catalog.map((k) => k.name));
  const low = `${m[1]}_p50`;
  const high = `${m[1]}_p99`;
  return names.has(low) && names.has(high) ? { low, high } : null;
}

// "region, attributes.plan" -> ["attributes.region", "attributes.plan"]
export function parseAttributes(text: string): string[] {
  return text
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => (x.startsWith("attributes.") ? x : `attributes.${x}`));
}

function groupLabel(s: KpiSeries): string {
  const parts = Object.entries(s.group).map(([k, v]) => `${k}=${v === "" ? "(none)" : v}`);
  return parts.length ? parts.join(", ") : "all";
}

function groupKey(s: KpiSeries): string {
  return JSON.stringify(s.group);
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(a: KpiAnswer): string {
  const dims = a.group_by;
  const rows = [["time", ...dims, "value", "n", "ci_low", "ci_high", "ci_level"].join(",")];
  for (const s of a.series) {
    for (const p of s.points) {
      rows.push([p.t, ...dims.map((d) => s.group[d]), p.value, p.n, p.ci?.low, p.ci?.high, p.ci?.level].map(csvCell).join(","));
    }
  }
  return rows.join("\n") + "\n";
}

export async function explorerPage(ctx: PageContext): Promise<() => void> {
  const { signal } = ctx;
  const s = readState(ctx.params);
  let chart: Chart | null = null;
  const cleanup = () => chart?.destroy();

  const catalog = (await get<{ kpis: KpiInfo[] }>("/v1/kpis", undefined, { signal })).kpis;
  if (signal.aborted) return cleanup;
  const info = catalog.find((k) => k.name === s.kpi);
  const family = percentileFamily(s.kpi, catalog);

  // --- Controls ----------------------------------------------------------------------------
  const kpiSelect = h(
    "select",
    { id: "kpi", name: "kpi" },
    catalog.map((k) => h("option", { value: k.name, selected: k.name === s.kpi }, k.name)),
  );
  const fromInput = h("input", { id: "from", name: "from", value: s.from, size: 22, spellcheck: "false" });
  const toInput = h("input", { id: "to", name: "to", value: s.to, size: 22, spellcheck: "false" });
  const stepSelect = h("select", { id: "step", name: "step" }, STEPS.map((x) => h("option", { value: x, selected: x === s.step }, x)));
  if (!STEPS.includes(s.step)) stepSelect.appendChild(h("option", { value: s.step, selected: true }, s.step));
  const groupBoxes = DIMENSIONS.map((d) =>
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "group_by", value: d, checked: s.groupBy.includes(d) }), d),
  );
  const attributeInput = h("input", {
    id: "group-attribute",
    name: "group_attribute",
    value: s.groupBy.filter((g) => !DIMENSIONS.includes(g)).join(", "),
    placeholder: "attributes.region",
    size: 20,
    spellcheck: "false",
    "aria-label": "Group by attribute",
  });
  const filterInput = h("input", { id: "filter", name: "filter", value: s.filter, placeholder: "model:gpt-4o, route:chat", size: 28, spellcheck: "false" });
  const bandSelect = h(
    "select",
    { id: "band", name: "band" },
    h("option", { value: "ci", selected: s.band === "ci" }, "confidence interval"),
    family ? h("option", { value: "pct", selected: s.band === "pct" }, "percentile band (p50–p99)") : null,
    h("option", { value: "none", selected: s.band === "none" }, "no band"),
  );
  const confSelect = h("select", { id: "confidence", name: "confidence" }, ["0.8", "0.9", "0.95", "0.99"].map((c) => h("option", { value: c, selected: c === s.confidence }, `${Math.round(Number(c) * 100)}%`)));
  const needsName = info?.params.includes("name");
  const nameInput = h("input", { id: "score-name", name: "name", value: s.name, placeholder: "score name", size: 12 });
  const sourceInput = h("input", { id: "score-source", name: "source", value: s.source, placeholder: "source (optional)", size: 12 });

  const readForm = (): State => ({
    kpi: kpiSelect.value,
    from: fromInput.value.trim() || "now-24h",
    to: toInput.value.trim() || "now",
    step: stepSelect.value,
    groupBy: [
      ...groupBoxes.map((l) => l.querySelector("input")!).filter((i) => i.checked).map((i) => i.value),
      ...parseAttributes(attributeInput.value),
    ],
    filter: filterInput.value,
    band: bandSelect.value,
    confidence: confSelect.value,
    name: nameInput.value.trim(),
    source: sourceInput.value.trim(),
  });
  const apply = (e?: Event) => {
    e?.preventDefault();
    navigate(stateUrl(readForm()));
  };
  const form = h(
    "form",
    { class: "controls", "aria-label": "KPI query", onsubmit: apply },
    h("label", null, "KPI ", kpiSelect),
    needsName ? h("label", null, "Score ", nameInput, " ", sourceInput) : null,
    h(
      "div",
      { class: "range-picker", role: "group", "aria-label": "Time range" },
      PRESETS.map((p) =>
        h(
          "button",
          {
            type: "button",
            "data-range": p.label,
            "aria-pressed": String(s.from === `now-${p.label}` && s.to === "now"),
            onclick: () => {
              fromInput.value = `now-${p.label}`;
              toInput.value = "now";
              apply();
            },
          },
          p.label,
        ),
      ),
    ),
    h("label", null, "From ", fromInput),
    h("label", null, "To ", toInput),
    h("label", null, "Step ", stepSelect),
    h("fieldset", { class: "group-by" }, h("legend", null, "Group by"), groupBoxes, h("label", null, "attribute ", attributeInput)),
    h("label", null, "Filter ", filterInput),
    h("label", null, "Band ", bandSelect),
    h("label", null, "Level ", confSelect),
    h("button", { type: "submit", class: "primary" }, "Apply"),
  );
  for (const el of [kpiSelect, stepSelect, bandSelect, confSelect, attributeInput]) el.addEventListener("change", () => apply());
  for (const l of groupBoxes) l.querySelector("input")!.addEventListener("change", () => apply());

  const status = h("p", { class: "muted small", "data-testid": "status" }, "Loading…");
  const chartHost = h("div", { class: "chart-host" });
  const summaryHost = h("div", { class: "table-wrap" });
  const csvButton = h("button", { type: "button", disabled: true }, "Export CSV");
  ctx.outlet.append(
    h("div", { class: "page-head" }, h("h1", null, "KPI explorer"), csvButton),
    h("section", { class: "panel" }, form),
    h(
      "section",
      { class: "panel" },
      h("h2", null, s.kpi, info ? h("span", { class: "muted small" }, ` — ${info.description} (${info.unit}${info.better === "higher" || info.better === "lower" ? `, ${info.better} is better` : ""})`) : null),
      status,
      chartHost,
      summaryHost,
    ),
  );

  // --- Data --------------------------------------------------------------------------------
  const seconds = rangeSeconds(s.from, s.to);
  const step = s.step === "auto" ? (seconds ? autoStep(seconds, 300) : "1h") : s.step === "none" ? undefined : s.step;
  const base = {
    from: s.from,
    to: s.to === "now" ? undefined : s.to,
    group_by: s.groupBy.join(",") || undefined,
    filter: s.filter.trim() ? s.filter.split(",").map((x) => x.trim()).filter(Boolean).join(",") : undefined,
    confidence: s.confidence,
    name: s.name || undefined,
    source: s.source || undefined,
  };
  if (needsName && !s.name) {
    status.textContent = `${s.kpi} is computed over one named score: enter its name (e.g. helpfulness) and, optionally, its source.`;
    ctx.outlet.setAttribute("data-ready", "1");
    nameInput.focus();
    return cleanup;
  }
  try {
    const wantPct = s.band === "pct" && family !== null;
    // The chart's buckets start at a multiple of the step; the summary covers exactly the range.
    const seriesParams = { ...base, from: alignFrom(s.from, s.to, step), step };
    const [series, total, lowA, highA] = await Promise.all([
      get<KpiAnswer>(`/v1/kpis/${s.kpi}`, seriesParams, { signal }),
      get<KpiAnswer>(`/v1/kpis/${s.kpi}`, base, { signal }),
      wantPct ? get<KpiAnswer>(`/v1/kpis/${family!.low}`, seriesParams, { signal }) : Promise.resolve(null),
      wantPct ? get<KpiAnswer>(`/v1/kpis/${family!.high}`, seriesParams, { signal }) : Promise.resolve(null),
    ]);
    if (signal.aborted) return cleanup;
    const unit = series.kpi.unit;
    const weight = new Map(total.series.map((x) => [groupKey(x), x.points[0]?.n ?? 0]));
    const ordered = [...series.series].sort((a, b) => (weight.get(groupKey(b)) ?? 0) - (weight.get(groupKey(a)) ?? 0));
    const shown = ordered.slice(0, MAX_LINES);
    const lowBy = new Map((lowA?.series ?? []).map((x) => [groupKey(x), x]));
    const highBy = new Map((highA?.series ?? []).map((x) => [groupKey(x), x]));
    const xs = (shown[0]?.points ?? []).map((p) => toEpochSeconds(p.t));
    const lines: ChartLine[] = shown.map((x) => {
      const line: ChartLine = { label: groupLabel(x), values: x.points.map((p) => p.value) };
      if (s.band === "ci" && x.points.some((p) => p.ci)) {
        line.low = x.points.map((p) => p.ci?.low ?? null);
        line.high = x.points.map((p) => p.ci?.high ?? null);
      } else if (wantPct) {
        line.low = lowBy.get(groupKey(x))?.points.map((p) => p.value) ?? undefined;
        line.high = highBy.get(groupKey(x))?.points.map((p) => p.value) ?? undefined;
      }
      return line;
    });
    const totalN = total.series.reduce((acc, x) => acc + (x.points[0]?.n ?? 0), 0);
    const bandLabel = wantPct ? "p50–p99" : `${Math.round(series.confidence * 100)}% CI`;
    status.textContent =
      `${series.series.length} series × ${xs.length} points, step ${series.step_seconds ? `${series.step_seconds / 60} min` : "whole range"}, ` +
      `${series.from} – ${series.to}` +
      (series.series.length > MAX_LINES ? ` (chart shows the ${MAX_LINES} largest groups)` : "") +
      (lines.some((l) => l.low) ? `; band: ${bandLabel}` : "");
    status.setAttribute("data-series", String(series.series.length));
    status.setAttribute("data-points", String(xs.length));
    if (totalN === 0 && series.series.every((x) => x.points.every((p) => p.value === null || p.value === 0))) {
      chartHost.appendChild(emptyState("No data for this KPI in the range", `${s.kpi} has no observations between ${series.from} and ${series.to}${base.filter ? " with these filters" : ""}.`));
    } else if (xs.length > 1) {
      chart = timeChart(xs, lines, unit, { bandLabel });
      chartHost.appendChild(chart.el);
    }
    summaryHost.appendChild(summaryTable(total, unit));
    csvButton.disabled = false;
    csvButton.addEventListener("click", () => {
      const blob = new Blob([toCsv(series)], { type: "text/csv" });
      const a = h("a", { href: URL.createObjectURL(blob), download: `${s.kpi}.csv` });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    });
  } catch (e) {
    if (signal.aborted) return cleanup;
    status.textContent = e instanceof Error ? e.message : String(e);
    status.className = "error";
  }
  ctx.outlet.setAttribute("data-ready", "1");
  return cleanup;
}

function summaryTable(total: KpiAnswer, unit: string): HTMLElement {
  const dims = total.group_by;
  const rows = [...total.series].sort((a, b) => (b.points[0]?.n ?? 0) - (a.points[0]?.n ?? 0));
  return h(
    "table",
    { class: "table summary", "data-testid": "summary" },
    h("caption", null, "Over the whole range"),
    h("thead", null, h("tr", null, dims.length ? dims.map((d) => h("th", null, d)) : h("th", null, "group"), h("th", { class: "num" }, "value"), h("th", null, "interval"), h("th", { class: "num" }, "n"))),
    h(
      "tbody",
      null,
      rows.map((x) => {
        const p = x.points[0];
        return h(
          "tr",
          { "data-group": groupLabel(x) },
          dims.length ? dims.map((d) => h("td", null, x.group[d] || "(none)")) : h("td", null, "all"),
          h("td", { class: "num value", "data-value": String(p?.value ?? "") }, formatValue(p?.value, unit)),
          h("td", { class: "muted small" }, p?.ci ? formatCi(p.ci.low, p.ci.high, unit, p.ci.level) : ""),
          h("td", { class: "num" }, (p?.n ?? 0).toLocaleString("en-US")),
        );
      }),
    ),
  );
}
