// Eval runs (runs of `yardstick eval` posted to /v1/eval-runs): the list, one run (metrics with
// their intervals, the gate, slices with intervals and gaps, fairness), and two runs compared
// side by side with the paired tests of GET /v1/eval-runs/compare.
import { get } from "../api";
import { h, type Child } from "../dom";
import { formatTime } from "../format";
import { navigate, type PageContext } from "../router";

interface Aggregate {
  value: number | null;
  ci_low: number | null;
  ci_high: number | null;
  level: number;
  n: number;
  missing: number;
}

interface ListedMetric extends Aggregate {
  id: string;
  name: string;
  display: string;
  higher_is_better: boolean;
}

interface ListedRun {
  id: string;
  suite: string;
  created: string;
  target: string;
  examples: number;
  failed: number;
  gate: "passed" | "failed" | "none";
  gate_conditions: number;
  gate_failed: number;
  metrics: ListedMetric[];
}

interface RunDocument {
  run_id: string;
  suite: { name: string; path: string };
  created: string;
  dataset: string;
  target: string;
  examples_total: number;
  failed: number;
  bootstrap: { resamples: number; seed: number; confidence: number };
  metrics: { id: string; name: string; display: string; higher_is_better: boolean; aggregate: Aggregate }[];
  slices: { field: string; value: string; n: number; metrics: Record<string, Aggregate> }[];
  gaps: { field: string; metric: string; gap: number | null; best: string; worst: string }[];
  fairness?: {
    group_field: string;
    positive: string;
    groups: { value: string; n: number; selection_rate: number | null; true_positive_rate: number | null; false_positive_rate: number | null }[];
    demographic_parity_difference: number | null;
    equalized_odds_difference: number | null;
    excluded: number;
  };
  gate: { passed: boolean; conditions: { condition: string; passed: boolean; detail: string }[] };
}

interface MetricComparison {
  metric: string;
  test: string;
  baseline: number | null;
  value: number | null;
  delta: number | null;
  delta_ci_low: number | null;
  delta_ci_high: number | null;
  p_value: number | null;
  p_adjusted: number | null;
  significant: boolean;
  regression: boolean;
  improvement: boolean;
  pairs: number;
  excluded: number;
  note?: string;
}

interface ComparisonAnswer {
  a: { id: string; suite: string; created: string; target: string };
  b: { id: string; suite: string; created: string; target: string };
  correction: string;
  alpha: number;
  test: string;
  resamples: number;
  metrics: MetricComparison[];
}

// Three significant digits, as the rest of the dashboard shows numbers.
export function num(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  if (v === 0) return "0";
  return String(Number(v.toPrecision(3)));
}

function ci(low: number | null | undefined, high: number | null | undefined): string {
  if (low === null || low === undefined || high === null || high === undefined) return "–";
  return `${num(low)} – ${num(high)}`;
}

function pValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return "–";
  return p < 0.001 ? p.toExponential(2) : String(Number(p.toPrecision(3)));
}

function gateBadge(gate: string): HTMLElement {
  const cls = gate === "passed" ? "status-met" : gate === "failed" ? "status-missed" : "status-insufficient_data";
  return h("span", { class: `badge ${cls}`, "data-gate": gate }, gate === "none" ? "no gate" : `gate ${gate}`);
}

function table(label: string, heads: string[], numeric: (i: number) => boolean, rows: HTMLElement[], testid: string): HTMLElement {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "table", "aria-label": label, "data-testid": testid },
      h("thead", null, h("tr", null, heads.map((t, i) => h("th", { class: numeric(i) ? "num" : "" }, t)))),
      h("tbody", null, rows),
    ),
  );
}

function cell(metric: string, col: string, text: Child, numeric = true): HTMLElement {
  return h("td", { class: numeric ? "num nowrap" : "", "data-metric": metric, "data-col": col }, text);
}

export async function evalsPage(ctx: PageContext): Promise<void> {
  const which = ctx.match[1] ? decodeURIComponent(ctx.match[1]) : "";
  if (which === "compare") await comparePage(ctx);
  else if (which) await runPage(ctx, which);
  else await listPage(ctx);
  ctx.outlet.setAttribute("data-ready", "1");
}

async function listPage(ctx: PageContext): Promise<void> {
  const { signal } = ctx;
  const host = h("div");
  ctx.outlet.append(h("div", { class: "page-head" }, h("h1", null, "Eval runs")), host);
  const { eval_runs: runs } = await get<{ eval_runs: ListedRun[] }>("/v1/eval-runs", { limit: 200 }, { signal });
  if (signal.aborted) return;
  if (runs.length === 0) {
    host.append(
      h(
        "section",
        { class: "panel", "data-testid": "empty-state" },
        h("h2", null, "No eval runs yet"),
        h("p", null, "Add a server section to a suite and run it; the run appears here."),
        h("pre", { class: "copy-text" }, `server: {url: ${location.origin}, api_key_env: YARDSTICK_PROJECT_KEY}\n\nyardstick eval suite.yaml`),
      ),
    );
    return;
  }
  const chosen: string[] = [];
  const compare = h("button", { type: "button", class: "primary", disabled: true, "data-testid": "compare" }, "Compare selected");
  const hint = h("span", { class: "muted small" }, "Select two runs to compare them.");
  const update = () => {
    compare.disabled = chosen.length !== 2;
    hint.textContent = chosen.length === 2 ? "The older run (or the first selected) is the baseline." : "Select two runs to compare them.";
  };
  compare.addEventListener("click", () => {
    if (chosen.length !== 2) return;
    const [x, y] = chosen.map((id) => runs.find((r) => r.id === id)!);
    // The older run is the baseline; on equal creation times, the first selected.
    const [a, b] = y.created < x.created ? [y, x] : [x, y];
    navigate(`/evals/compare?a=${encodeURIComponent(a.id)}&b=${encodeURIComponent(b.id)}`);
  });
  const rows = runs.map((r) => {
    const box = h("input", { type: "checkbox", "aria-label": `Select ${r.id}`, "data-select": r.id });
    box.addEventListener("change", () => {
      const at = chosen.indexOf(r.id);
      if (box.checked && at < 0) chosen.push(r.id);
      if (!box.checked && at >= 0) chosen.splice(at, 1);
      // At most two: the oldest choice gives way.
      while (chosen.length > 2) {
        const dropped = chosen.shift()!;
        const other = host.querySelector<HTMLInputElement>(`input[data-select="${CSS.escape(dropped)}"]`);
        if (other) other.checked = false;
      }
      update();
    });
    return h(
      "tr",
      { "data-run": r.id },
      h("td", null, box),
      h("td", null, h("a", { href: `/evals/${encodeURIComponent(r.id)}` }, r.id)),
      h("td", { class: "nowrap" }, formatTime(r.created)),
      h("td", null, r.target),
      h("td", { class: "num" }, `${r.examples}${r.failed ? ` (${r.failed} failed)` : ""}`),
      h("td", null, gateBadge(r.gate)),
      h(
        "td",
        null,
        r.metrics.map((m) =>
          h(
            "div",
            { class: "nowrap", "data-metric": m.id },
            h("span", { class: "muted" }, `${m.id} `),
            h("strong", { "data-col": "value" }, num(m.value)),
            h("span", { class: "muted small", "data-col": "ci" }, ` [${ci(m.ci_low, m.ci_high)}]`),
          ),
        ),
      ),
    );
  });
  host.append(
    h("section", { class: "panel" }, h("div", { class: "controls" }, compare, hint)),
    h(
      "section",
      { class: "panel" },
      table("Eval runs, newest first", ["", "Run", "Created (UTC)", "Target", "Examples", "Gate", "Metrics (95% CI)"], (i) => i === 4, rows, "runs"),
    ),
  );
}

async function runPage(ctx: PageContext, id: string): Promise<void> {
  const { signal } = ctx;
  const run = await get<RunDocument>(`/v1/eval-runs/${encodeURIComponent(id)}`, undefined, { signal });
  if (signal.aborted) return;
  const level = Math.round((run.bootstrap?.confidence ?? 0.95) * 100);
  const passed = run.gate.conditions.length === 0 ? "none" : run.gate.passed ? "passed" : "failed";
  ctx.outlet.append(
    h("p", null, h("a", { href: "/evals" }, "← Eval runs")),
    h("div", { class: "page-head" }, h("h1", null, run.run_id), gateBadge(passed)),
    h(
      "section",
      { class: "panel" },
      h(
        "dl",
        { class: "fields" },
        h("dt", null, "Suite"),
        h("dd", null, run.suite.name),
        h("dt", null, "Created"),
        h("dd", null, formatTime(run.created)),
        h("dt", null, "Target"),
        h("dd", null, run.target),
        h("dt", null, "Dataset"),
        h("dd", null, run.dataset),
        h("dt", null, "Examples"),
        h("dd", { "data-testid": "examples" }, `${run.examples_total} (${run.failed} without output)`),
        h("dt", null, "Intervals"),
        h("dd", null, `${level}% bootstrap percentile, ${run.bootstrap.resamples} resamples over examples`),
      ),
    ),
  );
  // Metrics.
  const metricRows = run.metrics.map((m) =>
    h(
      "tr",
      { "data-metric": m.id },
      cell(m.id, "metric", h("span", null, m.id, m.display !== m.id ? h("span", { class: "muted small" }, ` (${m.display})`) : null), false),
      cell(m.id, "value", num(m.aggregate.value)),
      cell(m.id, "ci", ci(m.aggregate.ci_low, m.aggregate.ci_high)),
      cell(m.id, "n", String(m.aggregate.n)),
      cell(m.id, "missing", String(m.aggregate.missing)),
      cell(m.id, "better", m.higher_is_better ? "higher" : "lower", false),
    ),
  );
  ctx.outlet.append(
    h("section", { class: "panel" }, h("h2", null, "Metrics"), table("Metrics", ["Metric", "Value", `${level}% CI`, "Scored", "Not scored", "Better"], (i) => i >= 1 && i <= 4, metricRows, "metrics")),
  );
  // Gate.
  if (run.gate.conditions.length > 0) {
    const rows = run.gate.conditions.map((g) =>
      h("tr", { "data-condition": g.condition }, h("td", null, h("code", null, g.condition)), h("td", null, h("span", { class: `badge ${g.passed ? "status-met" : "status-missed"}`, "data-gate": g.passed ? "passed" : "failed" }, g.passed ? "pass" : "fail")), h("td", null, g.detail)),
    );
    ctx.outlet.append(h("section", { class: "panel" }, h("h2", null, "Gate"), table("Gate conditions", ["Condition", "Result", "Detail"], () => false, rows, "gate")));
  }
  // Slices: one table per field, one row per value, a value and interval per metric.
  const fields = [...new Set(run.slices.map((s) => s.field))];
  for (const field of fields) {
    const slices = run.slices.filter((s) => s.field === field);
    const rows = slices.map((s) =>
      h(
        "tr",
        { "data-slice": `${field}=${s.value}` },
        h("td", null, s.value),
        h("td", { class: "num" }, String(s.n)),
        run.metrics.map((m) => {
          const a = s.metrics[m.id];
          return h(
            "td",
            { class: "num nowrap", "data-metric": m.id },
            h("span", { "data-col": "value" }, num(a?.value)),
            h("span", { class: "muted small", "data-col": "ci" }, ` [${ci(a?.ci_low, a?.ci_high)}]`),
          );
        }),
      ),
    );
    const gaps = run.gaps.filter((g) => g.field === field);
    ctx.outlet.append(
      h(
        "section",
        { class: "panel", "data-slices": field },
        h("h2", null, `Slices by ${field}`),
        table(`Slices by ${field}`, [field, "Examples", ...run.metrics.map((m) => `${m.id} [${level}% CI]`)], (i) => i >= 1, rows, `slices-${field}`),
        gaps.length
          ? h(
              "p",
              { class: "small", "data-testid": `gaps-${field}` },
              "Gaps (best − worst): ",
              gaps.map((g, i) => h("span", { "data-gap": g.metric }, i ? "; " : "", `${g.metric} `, h("strong", { "data-col": "gap" }, num(g.gap)), ` (${g.best} vs ${g.worst})`)),
            )
          : null,
      ),
    );
  }
  // Fairness.
  if (run.fairness) {
    const f = run.fairness;
    const rows = f.groups.map((g) =>
      h("tr", null, h("td", null, g.value), h("td", { class: "num" }, String(g.n)), h("td", { class: "num" }, num(g.selection_rate)), h("td", { class: "num" }, num(g.true_positive_rate)), h("td", { class: "num" }, num(g.false_positive_rate))),
    );
    ctx.outlet.append(
      h(
        "section",
        { class: "panel", "data-testid": "fairness" },
        h("h2", null, `Fairness by ${f.group_field} (positive: ${f.positive})`),
        table("Fairness groups", [f.group_field, "Examples", "Selection rate", "TPR", "FPR"], (i) => i >= 1, rows, "fairness-groups"),
        h(
          "p",
          { class: "small" },
          "Demographic parity difference ",
          h("strong", { "data-fair": "demographic_parity_difference" }, num(f.demographic_parity_difference)),
          " · equalized odds difference ",
          h("strong", { "data-fair": "equalized_odds_difference" }, num(f.equalized_odds_difference)),
          f.excluded ? ` · ${f.excluded} examples excluded` : "",
        ),
      ),
    );
  }
}

async function comparePage(ctx: PageContext): Promise<void> {
  const { signal, params } = ctx;
  const a = params.get("a") ?? "";
  const b = params.get("b") ?? "";
  ctx.outlet.append(h("p", null, h("a", { href: "/evals" }, "← Eval runs")), h("div", { class: "page-head" }, h("h1", null, "Compare eval runs")));
  if (!a || !b) {
    ctx.outlet.append(h("p", { class: "error" }, "Choose two runs on the list to compare them."));
    return;
  }
  const [cmp, runA, runB] = await Promise.all([
    get<ComparisonAnswer>("/v1/eval-runs/compare", { a, b }, { signal }),
    get<RunDocument>(`/v1/eval-runs/${encodeURIComponent(a)}`, undefined, { signal }),
    get<RunDocument>(`/v1/eval-runs/${encodeURIComponent(b)}`, undefined, { signal }),
  ]);
  if (signal.aborted) return;
  const head = (label: string, r: RunDocument) =>
    h(
      "div",
      { class: "panel", "data-side": label },
      h("h2", null, `${label}: `, h("a", { href: `/evals/${encodeURIComponent(r.run_id)}` }, r.run_id)),
      h("p", { class: "small muted" }, `${formatTime(r.created)} · ${r.target} · ${r.examples_total} examples`),
      gateBadge(r.gate.conditions.length === 0 ? "none" : r.gate.passed ? "passed" : "failed"),
    );
  const swap = h("a", { class: "button", href: `/evals/compare?a=${encodeURIComponent(b)}&b=${encodeURIComponent(a)}` }, "Swap baseline and candidate");
  const agg = (r: RunDocument, id: string) => r.metrics.find((m) => m.id === id)?.aggregate;
  const rows = cmp.metrics.map((m) => {
    const x = agg(runA, m.metric);
    const y = agg(runB, m.metric);
    const verdict = m.regression ? "regression" : m.improvement ? "improvement" : m.significant ? "significant" : m.test === "none" ? "not compared" : "not significant";
    const cls = m.regression ? "status-missed" : m.improvement ? "status-met" : "status-insufficient_data";
    return h(
      "tr",
      { "data-metric": m.metric },
      cell(m.metric, "metric", m.metric, false),
      cell(m.metric, "a", h("span", null, num(x?.value), h("span", { class: "muted small" }, ` [${ci(x?.ci_low, x?.ci_high)}]`))),
      cell(m.metric, "b", h("span", null, num(y?.value), h("span", { class: "muted small" }, ` [${ci(y?.ci_low, y?.ci_high)}]`))),
      cell(m.metric, "delta", num(m.delta)),
      cell(m.metric, "delta_ci", ci(m.delta_ci_low, m.delta_ci_high)),
      cell(m.metric, "p", pValue(m.p_value)),
      cell(m.metric, "p_adjusted", pValue(m.p_adjusted)),
      cell(m.metric, "verdict", h("span", { class: `badge ${cls}`, "data-significant": String(m.significant) }, verdict), false),
      cell(m.metric, "test", h("span", { class: "small" }, m.test, m.note ? h("span", { class: "muted" }, ` (${m.note})`) : null), false),
    );
  });
  ctx.outlet.append(
    h("div", { style: "display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 0 14px" }, head("Baseline (A)", runA), head("Candidate (B)", runB)),
    h(
      "section",
      { class: "panel" },
      h("div", { class: "controls" }, swap),
      table(
        "Metrics compared",
        ["Metric", "A [95% CI]", "B [95% CI]", "B − A", "95% CI of B − A", "p", `p adjusted (${cmp.correction})`, "Result", "Test"],
        (i) => i >= 1 && i <= 6,
        rows,
        "comparison",
      ),
      h("p", { class: "small muted" }, `Examples paired by id; p-values adjusted across metrics with ${cmp.correction} at α = ${cmp.alpha}; intervals of the difference from ${cmp.resamples} paired bootstrap resamples.`),
    ),
  );
}
