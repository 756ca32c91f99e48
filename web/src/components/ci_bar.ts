// A goal's interval against its target on one small axis: the confidence interval as a bar, the
// point value as a dot, the target as a vertical line (the side that meets the target shaded).
import { svg } from "../dom";

export function ciBar(
  g: { value: number | null; ci_low?: number | null; ci_high?: number | null; target: { op: string; value: number }; status: string },
  opts: { width?: number; height?: number; label?: string } = {},
): SVGElement {
  const width = opts.width ?? 160;
  const height = opts.height ?? 22;
  const root = svg("svg", { class: `ci-bar status-line-${g.status}`, width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": opts.label ?? "interval and target" });
  const known = [g.value, g.ci_low, g.ci_high, g.target.value].filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  let lo = Math.min(...known);
  let hi = Math.max(...known);
  if (hi === lo) {
    lo -= Math.abs(lo) * 0.1 || 1;
    hi += Math.abs(hi) * 0.1 || 1;
  }
  const pad = (hi - lo) * 0.12;
  lo -= pad;
  hi += pad;
  const x = (v: number) => 4 + ((v - lo) * (width - 8)) / (hi - lo);
  const mid = height / 2;
  const t = x(g.target.value);
  // The side of the target that satisfies it.
  const good = g.target.op.startsWith(">") ? { x: t, w: width - t } : { x: 0, w: t };
  root.appendChild(svg("rect", { class: "ci-good", x: good.x.toFixed(1), y: 2, width: Math.max(0, good.w).toFixed(1), height: height - 4 }));
  root.appendChild(svg("line", { class: "ci-axis", x1: 0, x2: width, y1: mid, y2: mid }));
  if (typeof g.ci_low === "number" && typeof g.ci_high === "number") {
    root.appendChild(svg("rect", { class: "ci-interval", x: x(g.ci_low).toFixed(1), y: mid - 4, width: Math.max(1, x(g.ci_high) - x(g.ci_low)).toFixed(1), height: 8, "data-low": g.ci_low, "data-high": g.ci_high }));
  }
  if (typeof g.value === "number") root.appendChild(svg("circle", { class: "ci-point", cx: x(g.value).toFixed(1), cy: mid, r: 3 }));
  root.appendChild(svg("line", { class: "ci-target", x1: t.toFixed(1), x2: t.toFixed(1), y1: 0, y2: height, "data-target": g.target.value }));
  return root;
}
