// The goals scoreboard: each goal's KPI, target, current value with its interval, status and a
// sparkline. Shown only when the server has goals (GET /v1/goals answers 200; an empty list says
// none is defined); on 404 it renders nothing.
import { get, probe, type Goal, type KpiAnswer } from "../api";
import { h } from "../dom";
import { formatCi, formatValue } from "../format";
import { ciBar } from "./ci_bar";
import { sparkline } from "./sparkline";

export const STATUS: Record<string, string> = {
  met: "Met",
  at_risk: "At risk",
  missed: "Missed",
  insufficient_data: "Insufficient data",
};

export const OPS: Record<string, string> = { ">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=" };

export function scopeFilter(scope: Record<string, string> | undefined): string[] {
  return Object.entries(scope ?? {}).map(([k, v]) => `${k}:${v}`);
}

// The scope as the KPI API's filter (the project is the session's, not a filter).
function filterOf(scope: Record<string, string> | undefined): string[] {
  return scopeFilter(Object.fromEntries(Object.entries(scope ?? {}).filter(([k]) => k !== "project")));
}

export function explorerLink(g: Goal, range: string): string {
  const q = new URLSearchParams({ kpi: g.kpi, range });
  const f = filterOf(g.scope);
  if (f.length) q.set("filter", f.join(","));
  return `/kpis?${q}`;
}

// Fills `host` with the scoreboard; resolves to the number of goals shown (0: nothing shown).
export async function renderGoals(host: HTMLElement, range: { from: string; step: string; label: string }, signal: AbortSignal, opts: { page?: boolean } = {}): Promise<number> {
  const answer = await probe<{ goals: Goal[] }>("/v1/goals", { sparkline: 24 }, { signal });
  host.replaceChildren();
  if (!answer || signal.aborted) return 0;
  const goals = answer.goals ?? [];
  if (goals.length === 0) {
    host.appendChild(h("section", { class: "panel goals", "data-testid": "goals" }, h("h2", null, "Goals"), h("p", { class: "muted" }, "No goals defined yet.", opts.page ? " Goals are configured in the goals section of yardstick.yaml (docs/goals.md)." : null)));
    return 0;
  }
  const section = h(
    "section",
    { class: "panel goals", "data-testid": "goals" },
    h("div", { class: "panel-head" }, h("h2", null, "Goals"), opts.page ? h("span", { class: "muted small" }, "status from the KPI's confidence interval over each goal's window") : h("a", { href: "/goals", class: "small" }, "All goals and baselines")),
  );
  const body = h("tbody");
  for (const g of goals) {
    const unit = g.unit ?? "";
    const spark = h("td", { class: "spark-cell" });
    const scope = Object.entries(g.scope ?? {})
      .filter(([k]) => k !== "project")
      .map(([k, v]) => `${k}=${v}`)
      .join(", ");
    body.appendChild(
      h(
        "tr",
        { "data-goal": g.name, "data-status": g.status },
        h("td", null, h("strong", null, g.name), scope ? h("div", { class: "muted small" }, scope) : null),
        h("td", null, h("a", { href: explorerLink(g, range.label) }, g.kpi)),
        h("td", { class: "num target" }, `${OPS[g.target.op] ?? g.target.op} ${formatValue(g.target.value, unit)}`),
        h(
          "td",
          { class: "num value" },
          h("span", { class: "goal-value" }, formatValue(g.value, unit)),
          g.ci_low !== undefined && g.ci_low !== null ? h("div", { class: "muted small ci" }, formatCi(g.ci_low, g.ci_high, unit, g.confidence)) : null,
          g.n !== undefined ? h("div", { class: "muted small n" }, `n = ${g.n.toLocaleString("en-US")}${g.window ? ` · ${g.window}` : ""}`) : null,
        ),
        h("td", { class: "ci-cell" }, ciBar(g, { label: `${g.name}: interval against the target` })),
        h("td", null, h("span", { class: `badge status-${g.status}` }, STATUS[g.status] ?? g.status), g.error ? h("div", { class: "error small" }, g.error) : null),
        spark,
      ),
    );
    if (g.series) {
      // The server's own series over the goal's window (GET /v1/goals?sparkline=N).
      spark.appendChild(sparkline(g.series.map((p) => p.value), { label: `${g.kpi} trend` }));
      continue;
    }
    get<KpiAnswer>(`/v1/kpis/${encodeURIComponent(g.kpi)}`, { from: range.from, step: range.step, filter: filterOf(g.scope).join(",") || undefined }, { signal })
      .then((a) => {
        const points = a.series[0]?.points ?? [];
        spark.appendChild(sparkline(points.map((p) => p.value), { label: `${g.kpi} trend` }));
      })
      .catch(() => {
        // A scope the KPI API cannot filter on: the row stays without a sparkline.
      });
  }
  section.appendChild(
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "table" },
        h("thead", null, h("tr", null, h("th", null, "Goal"), h("th", null, "KPI"), h("th", { class: "num" }, "Target"), h("th", { class: "num" }, "Current"), h("th", null, "Interval vs target"), h("th", null, "Status"), h("th", null, "Trend"))),
        body,
      ),
    ),
  );
  host.appendChild(section);
  return goals.length;
}
