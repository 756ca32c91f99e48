// Overview: the goals scoreboard (when the server has goals), headline KPIs for the chosen
// range with their intervals and sparklines, and firing alerts (when the server has alerts).
import { get, type KpiAnswer } from "../api";
import { renderFiringAlerts } from "../components/alerts";
import { emptyState } from "../components/empty_state";
import { renderGoals } from "../components/goals";
import { presetSeconds, rangePicker } from "../components/range_picker";
import { sparkline } from "../components/sparkline";
import { h } from "../dom";
import { formatCi, formatValue } from "../format";
import { navigate, type PageContext } from "../router";
import { sparkWindow } from "../time";

export const HEADLINES: { kpi: string; label: string }[] = [
  { kpi: "calls", label: "Calls" },
  { kpi: "error_rate", label: "Error rate" },
  { kpi: "latency_p95", label: "p95 latency" },
  { kpi: "cost_total", label: "Cost" },
  { kpi: "csat", label: "CSAT" },
];

export async function overviewPage(ctx: PageContext): Promise<void> {
  const range = ctx.params.get("range") ?? "24h";
  const seconds = presetSeconds(range);
  const from = `now-${range}`;
  const spark = sparkWindow(range, seconds);
  const { signal } = ctx;

  const goalsHost = h("div");
  const alertsHost = h("div");
  const tiles = h("div", { class: "tiles" });
  const emptyHost = h("div");
  ctx.outlet.append(
    h(
      "div",
      { class: "page-head" },
      h("h1", null, "Overview"),
      rangePicker(range, (r) => navigate(`/?range=${r}`)),
    ),
    goalsHost,
    h("section", { class: "panel" }, h("h2", null, `Last ${range}`), tiles),
    alertsHost,
    emptyHost,
  );

  const tileWork = HEADLINES.map(async ({ kpi, label }) => {
    const valueEl = h("div", { class: "tile-value" }, "…");
    const ciEl = h("div", { class: "tile-ci muted small" });
    const sparkEl = h("div", { class: "tile-spark" });
    const nEl = h("div", { class: "tile-n muted small" });
    const q = new URLSearchParams({ kpi, range });
    tiles.appendChild(
      h("a", { class: "tile", href: `/kpis?${q}`, "data-kpi": kpi }, h("div", { class: "tile-label" }, label), valueEl, ciEl, nEl, sparkEl),
    );
    try {
      const [one, series] = await Promise.all([
        get<KpiAnswer>(`/v1/kpis/${kpi}`, { from }, { signal }),
        get<KpiAnswer>(`/v1/kpis/${kpi}`, spark, { signal }),
      ]);
      const p = one.series[0]?.points[0];
      const unit = one.kpi.unit;
      valueEl.textContent = formatValue(p?.value ?? (unit === "calls" || unit === "USD" ? 0 : null), unit);
      valueEl.setAttribute("data-value", String(p?.value ?? ""));
      if (p?.ci) ciEl.textContent = formatCi(p.ci.low, p.ci.high, unit, p.ci.level);
      if (p && kpi !== "calls") nEl.textContent = p.n > 0 ? `n = ${p.n.toLocaleString("en-US")}` : "no data in this range";
      sparkEl.appendChild(sparkline(series.series[0]?.points.map((x) => x.value) ?? [], { label: `${label} trend` }));
      return kpi === "calls" ? (p?.value ?? 0) : null;
    } catch (e) {
      if (signal.aborted) return null;
      valueEl.textContent = "–";
      ciEl.textContent = e instanceof Error ? e.message : String(e);
      ciEl.classList.add("error");
      return null;
    }
  });

  const [callCounts] = await Promise.all([
    Promise.all(tileWork),
    renderGoals(goalsHost, { ...spark, label: range }, signal).catch((e) => showError(goalsHost, "Goals", e)),
    renderFiringAlerts(alertsHost, signal).catch((e) => showError(alertsHost, "Alerts", e)),
  ]);
  if (signal.aborted) return;
  if (callCounts[0] === 0) {
    emptyHost.appendChild(emptyState(`No calls in the last ${range}`, "This project has no calls in the chosen range yet."));
  }
  ctx.outlet.setAttribute("data-ready", "1");
}

function showError(host: HTMLElement, what: string, e: unknown): number {
  host.replaceChildren(h("p", { class: "error" }, `${what}: ${e instanceof Error ? e.message : String(e)}`));
  return 0;
}
