// A compact table of notification deliveries (GET /v1/notifications): kind, notifier, status,
// attempts, the last error, what it was about.
import type { Notification } from "../api";
import { h } from "../dom";
import { formatTime } from "../format";

const STATUS_CLASS: Record<string, string> = { delivered: "status-met", pending: "status-at_risk", failed: "status-missed", expired: "status-insufficient_data" };

export function notificationsTable(list: Notification[], opts: { caption?: string; testid?: string } = {}): HTMLElement {
  if (list.length === 0) return h("p", { class: "muted small", "data-testid": opts.testid }, "No notifications.");
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "table compact", "data-testid": opts.testid },
      opts.caption ? h("caption", null, opts.caption) : null,
      h("thead", null, h("tr", null, h("th", null, "Created"), h("th", null, "Kind"), h("th", null, "Notifier"), h("th", null, "Status"), h("th", { class: "num" }, "Attempts"), h("th", null, "Last error"), h("th", null, "About"))),
      h(
        "tbody",
        null,
        list.map((n) =>
          h(
            "tr",
            { "data-notification": n.id, "data-key": n.idempotency_key, "data-status": n.status },
            h("td", { class: "small nowrap" }, formatTime(n.created_at)),
            h("td", null, n.kind),
            h("td", null, n.notifier),
            h("td", null, h("span", { class: `badge ${STATUS_CLASS[n.status] ?? ""}` }, n.status), n.delivered_at ? h("div", { class: "muted small" }, formatTime(n.delivered_at)) : null),
            h("td", { class: "num attempts" }, String(n.attempts)),
            h("td", { class: "small last-error" }, n.last_error ? `${n.last_status ? `HTTP ${n.last_status}: ` : ""}${n.last_error}` : "–"),
            h("td", { class: "small summary" }, n.summary ?? n.idempotency_key),
          ),
        ),
      ),
    ),
  );
}
