// Time-series chart on uPlot: one line per group, optionally with a shaded band (confidence
// interval or percentile band) per group, and a readout of the values under the cursor.
// uPlot draws on a canvas and stays interactive (zoom by dragging, hover readout) with tens of
// thousands of points.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { h } from "../dom";
import { formatAxis, formatTime, formatValue } from "../format";

export interface ChartLine {
  label: string;
  values: (number | null)[];
  low?: (number | null)[];
  high?: (number | null)[];
}

export const PALETTE = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#db2777", "#0891b2", "#65a30d", "#4b5563", "#9333ea", "#ea580c", "#0d9488"];

function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

export interface Chart {
  el: HTMLElement;
  plot: uPlot;
  destroy(): void;
}

export function timeChart(xs: number[], lines: ChartLine[], unit: string, opts: { height?: number; bandLabel?: string } = {}): Chart {
  const el = h("div", { class: "chart", "data-points": String(xs.length), "data-series": String(lines.length) });
  const plotHost = h("div", { class: "chart-plot" });
  const readout = h("div", { class: "chart-readout", "aria-live": "polite" });
  el.append(plotHost, readout);

  const data: (number | null)[][] = [xs];
  const series: uPlot.Series[] = [{}];
  const bands: uPlot.Band[] = [];
  lines.forEach((line, i) => {
    const color = PALETTE[i % PALETTE.length];
    data.push(line.values);
    series.push({ label: line.label, stroke: color, width: 1.5, spanGaps: false, points: { show: xs.length <= 60 } });
    if (line.low && line.high) {
      const hiIdx = data.length;
      data.push(line.high);
      series.push({ label: `${line.label} high`, stroke: "transparent", points: { show: false } });
      data.push(line.low);
      series.push({ label: `${line.label} low`, stroke: "transparent", points: { show: false } });
      bands.push({ series: [hiIdx, hiIdx + 1], fill: withAlpha(color, 0.15) });
    }
  });

  const showReadout = (idx: number | null | undefined) => {
    readout.replaceChildren();
    if (idx === null || idx === undefined || idx < 0 || idx >= xs.length) {
      lines.forEach((line, i) => {
        readout.appendChild(h("span", { class: "readout-item" }, h("i", { class: "swatch", style: `background:${PALETTE[i % PALETTE.length]}` }), line.label));
      });
      readout.appendChild(h("span", { class: "muted" }, "Hover for values; drag to zoom, double-click to reset."));
      return;
    }
    readout.appendChild(h("span", { class: "readout-time" }, formatTime(new Date(xs[idx] * 1000).toISOString())));
    lines.forEach((line, i) => {
      const v = line.values[idx];
      const band =
        line.low && line.high && line.low[idx] !== null && line.high[idx] !== null
          ? ` (${opts.bandLabel ?? "band"} ${formatValue(line.low[idx], unit)} – ${formatValue(line.high[idx], unit)})`
          : "";
      readout.appendChild(
        h("span", { class: "readout-item" }, h("i", { class: "swatch", style: `background:${PALETTE[i % PALETTE.length]}` }), `${line.label}: ${formatValue(v, unit)}${band}`),
      );
    });
  };

  const options: uPlot.Options = {
    width: 800,
    height: opts.height ?? 320,
    series,
    bands,
    legend: { show: false },
    // Axes in UTC, like every time the API returns and the tables show.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"),
    cursor: { drag: { x: true, y: false }, points: { size: 6 } },
    scales: { x: { time: true } },
    axes: [
      { stroke: "#555", grid: { stroke: "#eee" } },
      { stroke: "#555", grid: { stroke: "#eee" }, size: 64, values: (_u, splits) => splits.map((v) => formatAxis(v, unit)) },
    ],
    hooks: {
      setCursor: [(u) => showReadout(u.cursor.idx)],
    },
  };
  const plot = new uPlot(options, data as uPlot.AlignedData, plotHost);
  showReadout(null);
  const fit = () => {
    const w = Math.max(240, Math.floor(el.clientWidth));
    if (w !== plot.width) plot.setSize({ width: w, height: opts.height ?? 320 });
  };
  const ro = new ResizeObserver(fit);
  ro.observe(el);
  requestAnimationFrame(fit);
  return {
    el,
    plot,
    destroy() {
      ro.disconnect();
      plot.destroy();
    },
  };
}
