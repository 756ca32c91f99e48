// Preset time ranges (1h … 30d) as a button group; the chosen one is in the URL (?range=24h).
import { h } from "../dom";
import { PRESETS } from "../time";

export function rangePicker(current: string, onChange: (range: string) => void): HTMLElement {
  const group = h("div", { class: "range-picker", role: "group", "aria-label": "Time range" });
  for (const p of PRESETS) {
    const b = h("button", { type: "button", "data-range": p.label, "aria-pressed": String(p.label === current) }, p.label);
    b.addEventListener("click", () => onChange(p.label));
    group.appendChild(b);
  }
  return group;
}

export function presetSeconds(range: string): number {
  return PRESETS.find((p) => p.label === range)?.seconds ?? 86400;
}
