// A small inline SVG line (no axes) for tiles and scoreboards; gaps where a bucket has no value.
import { svg } from "../dom";

export function sparkline(values: (number | null)[], opts: { width?: number; height?: number; label?: string } = {}): SVGElement {
  const width = opts.width ?? 120;
  const height = opts.height ?? 32;
  const root = svg("svg", {
    class: "sparkline",
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    preserveAspectRatio: "none",
    role: "img",
    "aria-label": opts.label ?? "trend",
  });
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  root.setAttribute("data-points", String(values.length));
  if (present.length === 0) return root;
  let lo = Math.min(...present);
  let hi = Math.max(...present);
  if (hi === lo) {
    lo -= 1;
    hi += 1;
  }
  const pad = 2;
  const x = (i: number) => (values.length === 1 ? width / 2 : pad + (i * (width - 2 * pad)) / (values.length - 1));
  const y = (v: number) => height - pad - ((v - lo) * (height - 2 * pad)) / (hi - lo);
  let run: string[] = [];
  const flush = () => {
    if (run.length > 1) root.appendChild(svg("polyline", { points: run.join(" "), fill: "none" }));
    else if (run.length === 1) {
      // A lone value: a short tick (circles would be stretched by the non-uniform scaling).
      const [cx, cy] = run[0].split(",").map(Number);
      root.appendChild(svg("polyline", { points: `${cx - 2},${cy} ${cx + 2},${cy}`, fill: "none" }));
    }
    run = [];
  };
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) flush();
    else run.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
  });
  flush();
  return root;
}
