// Notifications: the outbox's deliveries (alerts, reports, escalations), newest first, filtered
// by kind and status, paginated with the API's cursor.
import { get, type Notification } from "../api";
import { notificationsTable } from "../components/notifications";
import { h } from "../dom";
import { navigate, type PageContext } from "../router";

export async function notificationsPage(ctx: PageContext): Promise<void> {
  const { signal, params } = ctx;
  const kind = params.get("kind") ?? "";
  const status = params.get("status") ?? "";
  const cursor = params.get("cursor") ?? "";
  const go = (k: string, s: string, c = "") => {
    const q = new URLSearchParams();
    if (k) q.set("kind", k);
    if (s) q.set("status", s);
    if (c) q.set("cursor", c);
    const qs = q.toString();
    navigate(`/notifications${qs ? `?${qs}` : ""}`);
  };
  const kindSel = h("select", { id: "n-kind", name: "kind" }, ["", "alert", "report", "escalation"].map((v) => h("option", { value: v, selected: v === kind }, v || "every kind")));
  const statusSel = h("select", { id: "n-status", name: "status" }, ["", "pending", "delivered", "failed", "expired"].map((v) => h("option", { value: v, selected: v === status }, v || "any status")));
  kindSel.addEventListener("change", () => go(kindSel.value, statusSel.value));
  statusSel.addEventListener("change", () => go(kindSel.value, statusSel.value));
  const answer = await get<{ notifications: Notification[]; next_cursor: string | null }>("/v1/notifications", { kind, status, cursor, limit: 100 }, { signal });
  ctx.outlet.append(
    h("div", { class: "page-head" }, h("h1", null, "Notifications"), h("div", { class: "controls" }, h("label", null, "Kind ", kindSel), h("label", null, "Status ", statusSel))),
    h(
      "section",
      { class: "panel" },
      notificationsTable(answer.notifications, { testid: "notifications" }),
      h("div", { class: "pager" }, cursor ? h("a", { href: `/notifications?${new URLSearchParams({ kind, status })}` }, "Newest") : null, answer.next_cursor ? h("button", { type: "button", onclick: () => go(kind, status, answer.next_cursor!) }, "Older") : null),
    ),
  );
  ctx.outlet.setAttribute("data-ready", "1");
}
