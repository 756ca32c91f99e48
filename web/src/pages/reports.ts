// Reports: the scheduled KPI reports (newest period first) and one report: each KPI with its
// interval, its comparison with the baseline (difference, relative change, adjusted p-value) and
// degradation flag, and the goals evaluated over the period.
import { get, type ReportDocument, type ReportSummary } from "../api";
import { OPS, STATUS } from "../components/goals";
import { keyboardList } from "../components/keyboard_list";
import { h } from "../dom";
import { formatCi, formatTime, formatValue } from "../format";
import { navigate, type PageContext } from "../router";
import { formatP, relative } from "./goals";

function degradedBadge(d: boolean | undefined): HTMLElement {
  return d ? h("span", { class: "badge status-missed" }, "Degraded") : h("span", { class: "badge status-met" }, "OK");
}

function scopeText(scope: Record<string, string> | undefined): string {
  return Object.entries(scope ?? {})
    .filter(([k]) => k !== "project")
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}

export async function reportsPage(ctx: PageContext): Promise<() => void> {
  const { signal, params } = ctx;
  const schedule = params.get("schedule") ?? "";
  const { reports } = await get<{ reports: ReportSummary[] }>("/v1/reports", { schedule, limit: 200 }, { signal });
  const schedules = [...new Set(reports.map((r) => r.schedule))].sort();
  const pick = h("select", { id: "r-schedule", name: "schedule" }, ["", ...new Set([...schedules, schedule].filter(Boolean))].map((s) => h("option", { value: s, selected: s === schedule }, s || "every schedule")));
  pick.addEventListener("change", () => navigate(pick.value ? `/reports?schedule=${encodeURIComponent(pick.value)}` : "/reports"));
  let unbind = () => {};
  const section = h("section", { class: "panel" });
  if (reports.length === 0) {
    section.append(h("p", { class: "muted" }, "No reports yet. A schedule (the schedules section of yardstick.yaml) reports each closed period."));
  } else {
    const rows = reports.map((r) =>
      h(
        "tr",
        { class: "row", "data-report": r.id, "data-degraded": String(r.degraded) },
        h("td", null, h("a", { href: `/reports/${r.id}` }, r.schedule)),
        h("td", { class: "small nowrap" }, `${formatTime(r.from)} – ${formatTime(r.to)}`),
        h("td", { class: "small nowrap" }, formatTime(r.created)),
        h("td", null, degradedBadge(r.degraded)),
      ),
    );
    const table = h("table", { class: "table", "data-testid": "reports" }, h("thead", null, h("tr", null, h("th", null, "Schedule"), h("th", null, "Period"), h("th", null, "Created"), h("th", null, "Result"))), h("tbody", null, rows));
    section.append(h("div", { class: "table-wrap" }, table));
    unbind = keyboardList(table, rows, (row) => navigate(`/reports/${row.getAttribute("data-report")}`));
  }
  ctx.outlet.append(h("div", { class: "page-head" }, h("h1", null, "Reports"), h("label", { class: "controls" }, "Schedule ", pick)), section);
  ctx.outlet.setAttribute("data-ready", "1");
  return () => unbind();
}

export async function reportPage(ctx: PageContext): Promise<void> {
  const { signal } = ctx;
  const id = decodeURIComponent(ctx.match[1]);
  const r = await get<ReportSummary & { report: ReportDocument }>(`/v1/reports/${encodeURIComponent(id)}`, undefined, { signal });
  const doc = r.report;
  const kpiRows = doc.kpis.map((k) => {
    const unit = k.unit ?? "";
    const c = k.comparison;
    const scope = scopeText(k.scope);
    return h(
      "tr",
      { "data-kpi": k.kpi, "data-degraded": String(Boolean(k.degraded)) },
      h("td", null, h("strong", null, k.kpi), k.params && Object.keys(k.params).length ? h("span", { class: "muted small" }, ` ${Object.values(k.params).join("/")}`) : null, scope ? h("div", { class: "muted small" }, scope) : null),
      k.error
        ? h("td", { class: "error", colspan: 7 }, k.error)
        : [
            h("td", { class: "num value" }, formatValue(k.value ?? null, unit), h("div", { class: "muted small" }, formatCi(k.ci_low, k.ci_high, unit, doc.confidence))),
            h("td", { class: "num" }, (k.n ?? 0).toLocaleString("en-US")),
            h("td", null, k.baseline ? h("a", { href: `/goals?baseline=${encodeURIComponent(k.baseline)}&from=${encodeURIComponent(r.from)}&to=${encodeURIComponent(r.to)}` }, k.baseline) : "–", c ? h("div", { class: "muted small baseline-value" }, formatValue(c.baseline_value, unit)) : null),
            h("td", { class: "num difference" }, c ? `${c.difference !== null && c.difference > 0 ? "+" : ""}${formatValue(c.difference, unit)}` : "–", c ? h("div", { class: "muted small" }, relative(c.relative_change)) : null),
            h("td", { class: "num pvalue" }, c ? formatP(k.adjusted_pvalue ?? c.pvalue) : "–"),
            h("td", null, k.baseline ? degradedBadge(k.degraded) : h("span", { class: "muted small" }, "no baseline")),
          ],
    );
  });
  const goalRows = doc.goals.map((g) => {
    const unit = g.unit ?? "";
    return h(
      "tr",
      { "data-goal": g.name, "data-status": g.status ?? "" },
      h("td", null, h("strong", null, g.name), h("div", { class: "muted small" }, g.kpi ?? "")),
      g.error
        ? h("td", { class: "error", colspan: 4 }, g.error)
        : [
            h("td", { class: "num" }, g.target ? `${OPS[g.target.op] ?? g.target.op} ${formatValue(g.target.value, unit)}` : "–"),
            h("td", { class: "num value" }, formatValue(g.value ?? null, unit), h("div", { class: "muted small" }, formatCi(g.ci_low, g.ci_high, unit))),
            h("td", { class: "num" }, (g.n ?? 0).toLocaleString("en-US")),
            h("td", null, h("span", { class: `badge status-${g.status}` }, STATUS[g.status ?? ""] ?? g.status)),
          ],
    );
  });
  ctx.outlet.append(
    h("div", { class: "page-head" }, h("h1", null, `Report ${doc.schedule}`), h("span", { "data-testid": "report-verdict" }, degradedBadge(doc.degraded))),
    h(
      "p",
      { class: "muted" },
      `${doc.project} · ${formatTime(r.from)} – ${formatTime(r.to)} · created ${formatTime(r.created)} · α = ${doc.alpha}${doc.correction ? ` (${doc.correction})` : ""}, ${Math.round(doc.confidence * 100)}% intervals · `,
      h("a", { href: `/reports?schedule=${encodeURIComponent(doc.schedule)}` }, "all reports of this schedule"),
    ),
    h(
      "section",
      { class: "panel" },
      h("h2", null, "KPIs against their baselines"),
      kpiRows.length
        ? h("div", { class: "table-wrap" }, h("table", { class: "table", "data-testid": "report-kpis" }, h("thead", null, h("tr", null, h("th", null, "KPI"), h("th", { class: "num" }, "Value"), h("th", { class: "num" }, "n"), h("th", null, "Baseline"), h("th", { class: "num" }, "Change"), h("th", { class: "num" }, "p (adjusted)"), h("th", null, "Degraded"))), h("tbody", null, kpiRows)))
        : h("p", { class: "muted" }, "This schedule reports no KPIs."),
    ),
    h(
      "section",
      { class: "panel" },
      h("h2", null, "Goals over the period"),
      goalRows.length
        ? h("div", { class: "table-wrap" }, h("table", { class: "table", "data-testid": "report-goals" }, h("thead", null, h("tr", null, h("th", null, "Goal"), h("th", { class: "num" }, "Target"), h("th", { class: "num" }, "Value"), h("th", { class: "num" }, "n"), h("th", null, "Status"))), h("tbody", null, goalRows)))
        : h("p", { class: "muted" }, "This schedule evaluates no goals."),
    ),
  );
  ctx.outlet.setAttribute("data-ready", "1");
}
