// Firing alerts on the overview. Shown only when the server has alerts (GET /v1/alerts answers
// 200); on 404 it renders nothing.
import { probe, type Alert } from "../api";
import { h } from "../dom";
import { formatDuration, formatNumber, formatTime } from "../format";

export async function renderFiringAlerts(host: HTMLElement, signal: AbortSignal): Promise<number> {
  const answer = await probe<{ alerts: Alert[] }>("/v1/alerts", undefined, { signal });
  host.replaceChildren();
  if (!answer || signal.aborted) return 0;
  const firing = (answer.alerts ?? []).filter((a) => a.state === "firing");
  const pending = (answer.alerts ?? []).filter((a) => a.state === "pending").length;
  const section = h("section", { class: "panel alerts", "data-testid": "alerts" }, h("h2", null, "Firing alerts"));
  if (firing.length === 0) {
    section.appendChild(h("p", { class: "muted" }, "No alerts firing."));
  }
  const list = h("ul", { class: "alert-list" });
  const now = Date.now() / 1000;
  for (const a of firing) {
    const since = a.active_since ? Date.parse(a.active_since) / 1000 : NaN;
    list.appendChild(
      h(
        "li",
        { class: "alert", "data-rule": a.rule },
        h("div", { class: "alert-head" }, h("span", { class: "badge status-missed" }, "Firing"), h("strong", null, a.rule), a.value !== undefined && a.value !== null ? h("span", { class: "alert-value" }, `value ${formatNumber(a.value)}`) : null),
        a.annotations?.summary ? h("div", null, a.annotations.summary) : null,
        a.annotations?.description ? h("div", { class: "muted small" }, a.annotations.description) : null,
        h(
          "div",
          { class: "labels" },
          Object.entries(a.labels ?? {}).map(([k, v]) => h("span", { class: "chip" }, `${k}=${v}`)),
        ),
        Number.isFinite(since) ? h("div", { class: "muted small" }, `since ${formatTime(a.active_since)} (${formatDuration(Math.max(0, now - since))})`) : null,
      ),
    );
  }
  if (firing.length) section.appendChild(list);
  if (pending) section.appendChild(h("p", { class: "muted small" }, `${pending} pending`));
  host.appendChild(section);
  return firing.length;
}
