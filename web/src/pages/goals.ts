// Goals and baselines: every goal with its interval against the target, and the frozen
// baselines of the project; a baseline can be compared with any window (difference, relative
// change, its interval and the test's p-value). The URL holds the comparison (?baseline=…&from=…).
import { get, type Baseline, type BaselineComparison } from "../api";
import { renderGoals } from "../components/goals";
import { keyboardList } from "../components/keyboard_list";
import { h, mount } from "../dom";
import { formatTime, formatValue } from "../format";
import { setQuery, type PageContext } from "../router";

function selectorText(b: Baseline): string {
  const s = b.selector ?? {};
  const parts: string[] = [];
  if (s.version) parts.push(Object.entries(s.version).map(([k, v]) => `${k} ${v}`).join(", "));
  if (s.from || s.to) parts.push(`${formatTime(s.from)} – ${formatTime(s.to)}`);
  return parts.join(" · ");
}

export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return "–";
  if (p === 0) return "0";
  if (p < 1e-4) return p.toExponential(1);
  return String(Number(p.toPrecision(2)));
}

function signed(v: number | null | undefined, unit: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  return (v > 0 ? "+" : "") + formatValue(v, unit);
}

export function relative(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  return `${v > 0 ? "+" : ""}${Number((v * 100).toPrecision(3))}%`;
}

// The comparison of one baseline with a window, as a definition list (shared with reports).
export function comparisonView(c: BaselineComparison["comparison"], unit: string): HTMLElement {
  const dl = h("dl", { class: "metrics comparison", "data-testid": "comparison" });
  const item = (label: string, value: string, key: string) => dl.append(h("div", { "data-field": key }, h("dt", null, label), h("dd", null, value)));
  item("baseline", formatValue(c.baseline_value, unit), "baseline_value");
  item("current", formatValue(c.current_value, unit), "current_value");
  item("difference", signed(c.difference, unit), "difference");
  item("relative change", relative(c.relative_change), "relative_change");
  item(`${Math.round(c.confidence * 100)}% CI of the difference`, c.ci_low === null || c.ci_high === null ? "–" : `${signed(c.ci_low, unit)} … ${signed(c.ci_high, unit)}`, "ci");
  item("p-value", formatP(c.pvalue), "pvalue");
  item("test", c.method, "method");
  item("n (baseline / current)", `${c.n_baseline.toLocaleString("en-US")} / ${c.n_current.toLocaleString("en-US")}`, "n");
  dl.append(
    h(
      "div",
      { "data-field": "verdict" },
      h("dt", null, "verdict"),
      h("dd", null, c.degraded ? h("span", { class: "badge status-missed" }, "Degraded") : c.significant ? h("span", { class: "badge status-met" }, "Significant change") : h("span", { class: "badge status-insufficient_data" }, "No significant change")),
    ),
  );
  return dl;
}

export async function goalsPage(ctx: PageContext): Promise<() => void> {
  const { signal, params } = ctx;
  const goalsHost = h("div");
  const baselinesHost = h("section", { class: "panel", "data-testid": "baselines" }, h("h2", null, "Baselines"));
  ctx.outlet.append(h("div", { class: "page-head" }, h("h1", null, "Goals and baselines")), goalsHost, baselinesHost);
  let unbind = () => {};

  const goalsWork = renderGoals(goalsHost, { from: "now-7d", step: "6h", label: "7d" }, signal, { page: true }).catch((e) => {
    goalsHost.replaceChildren(h("p", { class: "error" }, `Goals: ${e instanceof Error ? e.message : String(e)}`));
  });

  const { baselines } = await get<{ baselines: Baseline[] }>("/v1/baselines", undefined, { signal });
  if (baselines.length === 0) {
    baselinesHost.append(h("p", { class: "muted" }, "No baselines yet. Freeze one with POST /v1/baselines (docs/goals.md)."));
  } else {
    const form = {
      from: h("input", { id: "cmp-from", name: "from", value: params.get("from") ?? "now-24h", size: 14, spellcheck: "false" }),
      to: h("input", { id: "cmp-to", name: "to", value: params.get("to") ?? "now", size: 14, spellcheck: "false" }),
      confidence: h("select", { id: "cmp-confidence", name: "confidence" }, ["0.8", "0.9", "0.95", "0.99"].map((c) => h("option", { value: c, selected: (params.get("confidence") ?? "0.95") === c }, `${Math.round(Number(c) * 100)}%`))),
    };
    const result = h("div", { class: "compare-result", "aria-live": "polite" });
    let chosen = params.get("baseline") ?? "";
    const compare = async (name: string) => {
      chosen = name;
      const b = baselines.find((x) => x.name === name);
      if (!b) return;
      const q = new URLSearchParams({ baseline: name, from: form.from.value.trim(), to: form.to.value.trim(), confidence: form.confidence.value });
      setQuery(q);
      mount(result, h("p", { class: "muted" }, `Comparing ${name}…`));
      try {
        const c = await get<BaselineComparison>(`/v1/baselines/${encodeURIComponent(name)}/compare`, { from: form.from.value.trim(), to: form.to.value.trim(), confidence: form.confidence.value }, { signal });
        const unit = b.distribution.unit ?? c.current.unit ?? "";
        mount(
          result,
          h("h3", null, `${name}: ${formatTime(c.from)} – ${formatTime(c.to)} against the baseline`),
          comparisonView(c.comparison, unit),
        );
        result.setAttribute("data-baseline", name);
      } catch (e) {
        if (signal.aborted) return;
        mount(result, h("p", { class: "error" }, `${name}: ${e instanceof Error ? e.message : String(e)}`));
        result.setAttribute("data-baseline", name);
      }
    };
    const body = h("tbody");
    const rows: HTMLTableRowElement[] = [];
    for (const b of baselines) {
      const unit = b.distribution.unit ?? "";
      const filter = Object.entries(b.filter ?? {}).map(([k, v]) => `${k}=${v}`).join(", ");
      const row = h(
        "tr",
        { class: "row", "data-baseline": b.name },
        h("td", null, h("strong", null, b.name)),
        h("td", null, b.kpi ?? b.field ?? "", filter ? h("div", { class: "muted small" }, filter) : null),
        h("td", { class: "small" }, selectorText(b)),
        h("td", { class: "num value" }, b.distribution.kind === "categorical" ? "categorical" : formatValue(b.distribution.value ?? null, unit)),
        h("td", { class: "num" }, (b.distribution.n ?? 0).toLocaleString("en-US")),
        h("td", { class: "small nowrap" }, formatTime(b.created)),
        h("td", null, h("button", { type: "button", class: "compare", onclick: () => void compare(b.name) }, "Compare")),
      );
      rows.push(row);
      body.append(row);
    }
    const table = h("table", { class: "table", "aria-label": "Baselines" }, h("thead", null, h("tr", null, h("th", null, "Baseline"), h("th", null, "KPI or field"), h("th", null, "Frozen from"), h("th", { class: "num" }, "Value"), h("th", { class: "num" }, "n"), h("th", null, "Created"), h("th", null, ""))), body);
    baselinesHost.append(
      h("div", { class: "table-wrap" }, table),
      h(
        "form",
        {
          class: "controls compare-form",
          "aria-label": "Comparison window",
          onsubmit: (e: Event) => {
            e.preventDefault();
            if (chosen) void compare(chosen);
          },
        },
        h("span", { class: "muted small" }, "Compare with the window"),
        h("label", null, "from ", form.from),
        h("label", null, "to ", form.to),
        h("label", null, "confidence ", form.confidence),
        h("button", { type: "submit" }, "Compare again"),
      ),
      result,
    );
    unbind = keyboardList(table, rows, (row) => void compare(row.getAttribute("data-baseline")!));
    if (chosen) await compare(chosen);
  }
  await goalsWork;
  if (!signal.aborted) ctx.outlet.setAttribute("data-ready", "1");
  return () => unbind();
}
