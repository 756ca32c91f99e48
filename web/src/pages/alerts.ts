// Alerts: firing and pending alerts, resolved episodes, each with its timeline of transitions,
// its rule and the notifications sent for it; silences (create from an alert's labels, expire);
// the notification deliveries of kind alert. Lists move with the arrow keys; Enter unfolds an
// alert.
import { ApiError, get, probe, send, type Alert, type AlertRule, type Notification, type Silence } from "../api";
import { keyboardList } from "../components/keyboard_list";
import { notificationsTable } from "../components/notifications";
import { h } from "../dom";
import { formatDuration, formatNumber, formatTime } from "../format";
import { render, type PageContext } from "../router";

const STATE_CLASS: Record<string, string> = { firing: "status-missed", pending: "status-at_risk", resolved: "status-met" };

function seconds(s: number | undefined): string {
  return s === undefined || s === null ? "–" : s === 0 ? "0s" : formatDuration(s);
}

function conditionText(c: Record<string, unknown>): string {
  const { type, kpi, op, value, ...rest } = c;
  const head = [kpi, op, value].filter((x) => x !== undefined && x !== null).map(String).join(" ");
  const tail = Object.entries(rest)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k} ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(", ");
  return `${String(type ?? "")}${head ? `: ${head}` : ""}${tail ? ` (${tail})` : ""}`;
}

function matcherText(m: Silence["matchers"][number]): string {
  if (typeof m === "string") return m;
  const op = m.isEqual === false ? (m.isRegex ? "!~" : "!=") : m.isRegex ? "=~" : "=";
  return `${m.name}${op}${m.value}`;
}

// Notifications of one alert: the alert engine's idempotency keys are "<fingerprint>:<status>:<start>".
function notificationsOf(a: Alert, all: Notification[]): Notification[] {
  if (!a.fingerprint) return [];
  return all.filter((n) => n.kind === "alert" && n.idempotency_key.startsWith(`${a.fingerprint}:`));
}

function labelChips(labels: Record<string, string> | undefined): HTMLElement {
  return h("div", { class: "labels" }, Object.entries(labels ?? {}).map(([k, v]) => h("span", { class: "chip" }, `${k}=${v}`)));
}

function silenceForm(a: Alert, onDone: () => void): HTMLFormElement {
  const matchers = Object.entries(a.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  const duration = h("select", { name: "duration", "aria-label": "Duration" }, ["30m", "1h", "2h", "4h", "12h", "1d", "7d"].map((d) => h("option", { value: d, selected: d === "2h" }, d)));
  const comment = h("input", { name: "comment", "aria-label": "Comment", placeholder: "why (required)", size: 28, required: true });
  const status = h("span", { class: "small", role: "status" });
  const form = h(
    "form",
    {
      class: "silence-form controls",
      "data-no-open": true,
      "aria-label": `Silence ${a.rule}`,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        if (!comment.value.trim()) {
          status.textContent = "A comment is required.";
          status.className = "small error";
          return;
        }
        status.textContent = "Creating…";
        try {
          await send("POST", "/v1/silences", { matchers, duration: duration.value, comment: comment.value.trim(), created_by: "dashboard" });
          onDone();
        } catch (err) {
          status.textContent = err instanceof ApiError || err instanceof Error ? err.message : String(err);
          status.className = "small error";
        }
      },
    },
    h("span", { class: "small" }, "Silence alerts matching ", matchers.map((m) => h("code", { class: "chip" }, m))),
    h("label", null, "for ", duration),
    h("label", null, "comment ", comment),
    h("button", { type: "submit", class: "primary" }, "Create silence"),
    h("button", { type: "button", onclick: () => form.remove() }, "Cancel"),
    status,
  );
  return form;
}

function alertItem(a: Alert, rules: Map<string, AlertRule>, notifications: Notification[], reload: () => void): HTMLElement {
  const now = Date.now() / 1000;
  const since = a.active_since ? Date.parse(a.active_since) / 1000 : NaN;
  const end = a.resolved_at ? Date.parse(a.resolved_at) / 1000 : now;
  const rule = rules.get(a.rule);
  const sent = notificationsOf(a, notifications);
  const details = h(
    "div",
    { class: "alert-details", hidden: true, "data-no-open": true },
    h("h4", null, "Timeline"),
    h(
      "ol",
      { class: "timeline", "data-testid": "timeline" },
      (a.timeline ?? []).map((t) =>
        h(
          "li",
          { "data-to": t.to },
          h("span", { class: "small nowrap" }, formatTime(t.at)),
          " ",
          h("span", { class: "muted" }, t.from),
          " → ",
          h("span", { class: `badge ${STATE_CLASS[t.to] ?? "status-insufficient_data"}` }, t.to),
          t.value !== undefined && t.value !== null ? h("span", { class: "small" }, ` value ${formatNumber(t.value)}`) : null,
          t.silenced ? h("span", { class: "small muted" }, " (silenced)") : null,
        ),
      ),
    ),
    h("h4", null, "Rule"),
    rule
      ? h(
          "dl",
          { class: "fields rule", "data-testid": "rule" },
          h("dt", null, "condition"),
          h("dd", { class: "condition" }, conditionText(rule.condition)),
          h("dt", null, "window"),
          h("dd", null, seconds(rule.window_seconds)),
          h("dt", null, "for"),
          h("dd", { class: "for" }, seconds(rule.for_seconds)),
          rule.keep_firing_for_seconds ? [h("dt", null, "keep firing for"), h("dd", null, seconds(rule.keep_firing_for_seconds))] : null,
          rule.group_by?.length ? [h("dt", null, "group by"), h("dd", null, rule.group_by.join(", "))] : null,
          h("dt", null, "labels"),
          h("dd", null, labelChips(rule.labels)),
          h("dt", null, "annotations"),
          h("dd", null, Object.entries(rule.annotations ?? {}).map(([k, v]) => h("div", null, h("span", { class: "muted" }, `${k}: `), h("code", null, v)))),
          h("dt", null, "notifiers"),
          h("dd", null, rule.notifiers?.length ? rule.notifiers.join(", ") : "every notifier"),
          h("dt", null, "health"),
          h("dd", null, rule.health ?? "–", rule.last_error ? h("span", { class: "error" }, ` ${rule.last_error}`) : null, rule.last_evaluation ? h("span", { class: "muted" }, ` · evaluated ${formatTime(rule.last_evaluation)}`) : null),
        )
      : h("p", { class: "muted small" }, "The rule is no longer configured."),
    h("h4", null, `Notifications sent (${sent.length})`),
    notificationsTable(sent, { testid: "alert-notifications" }),
  );
  const silenceButton =
    a.state !== "resolved"
      ? h("button", {
          type: "button",
          class: "silence",
          onclick: (e: Event) => {
            e.stopPropagation();
            const existing = item.querySelector(".silence-form");
            if (existing) {
              (existing.querySelector("input") as HTMLInputElement).focus();
              return;
            }
            const f = silenceForm(a, reload);
            item.insertBefore(f, details);
            (f.querySelector("input") as HTMLInputElement).focus();
          },
        }, "Silence")
      : null;
  const item: HTMLElement = h(
    "li",
    { class: `alert alert-${a.state}`, "data-rule": a.rule, "data-fingerprint": a.fingerprint, "data-state": a.state, "aria-expanded": "false" },
    h(
      "div",
      { class: "alert-head" },
      h("span", { class: `badge ${STATE_CLASS[a.state] ?? ""}` }, a.state),
      h("strong", null, a.rule),
      a.value !== undefined && a.value !== null ? h("span", { class: "alert-value" }, `value ${formatNumber(a.value)}`) : null,
      a.silenced ? h("span", { class: "badge status-insufficient_data", title: (a.silenced_by ?? []).join(", ") }, "silenced") : null,
      silenceButton,
    ),
    a.annotations?.summary ? h("div", { class: "summary" }, a.annotations.summary) : null,
    a.annotations?.description ? h("div", { class: "muted small" }, a.annotations.description) : null,
    labelChips(a.labels),
    Number.isFinite(since)
      ? h(
          "div",
          { class: "muted small" },
          a.state === "resolved" ? `${formatTime(a.active_since)} – ${formatTime(a.resolved_at)} (${formatDuration(Math.max(0, end - since))})` : `since ${formatTime(a.active_since)} (${formatDuration(Math.max(0, now - since))})`,
          ` · ${sent.length} notification${sent.length === 1 ? "" : "s"}`,
        )
      : null,
    details,
  );
  return item;
}

function toggle(item: HTMLElement): void {
  const d = item.querySelector(".alert-details") as HTMLElement;
  d.hidden = !d.hidden;
  item.setAttribute("aria-expanded", String(!d.hidden));
}

export async function alertsPage(ctx: PageContext): Promise<() => void> {
  const { signal } = ctx;
  const unbinds: (() => void)[] = [];
  const reload = () => void render();
  const [active, resolved, rules, silences, notifications] = await Promise.all([
    get<{ alerts: Alert[] }>("/v1/alerts", undefined, { signal }),
    get<{ alerts: Alert[] }>("/v1/alerts", { state: "resolved", limit: 50 }, { signal }),
    get<{ rules: AlertRule[] }>("/v1/alerts/rules", undefined, { signal }),
    get<{ silences: Silence[] }>("/v1/silences", undefined, { signal }),
    probe<{ notifications: Notification[] }>("/v1/notifications", { kind: "alert", limit: 200 }, { signal }).catch(() => null),
  ]);
  const ruleMap = new Map(rules.rules.map((r) => [r.name, r]));
  const sent = notifications?.notifications ?? [];
  const order: Record<string, number> = { firing: 0, pending: 1 };
  const current = [...active.alerts].sort((a, b) => (order[a.state] ?? 2) - (order[b.state] ?? 2));
  const firing = current.filter((a) => a.state === "firing").length;

  const list = (alerts: Alert[], testid: string, empty: string) => {
    if (alerts.length === 0) return h("p", { class: "muted", "data-testid": testid }, empty);
    const items = alerts.map((a) => alertItem(a, ruleMap, sent, reload));
    const ul = h("ul", { class: "alert-list", "data-testid": testid, "aria-label": testid }, items);
    unbinds.push(keyboardList(ul, items, toggle));
    return ul;
  };

  const silenceRows = silences.silences.map((s) =>
    h(
      "tr",
      { "data-silence": s.id, "data-status": s.status },
      h("td", null, h("span", { class: `badge ${s.status === "active" ? "status-at_risk" : s.status === "pending" ? "status-insufficient_data" : ""}` }, s.status)),
      h("td", null, s.matchers.map((m) => h("code", { class: "chip" }, matcherText(m)))),
      h("td", { class: "small nowrap" }, formatTime(s.starts)),
      h("td", { class: "small nowrap" }, formatTime(s.ends)),
      h("td", { class: "small" }, s.comment ?? "", s.created_by ? h("div", { class: "muted" }, s.created_by) : null),
      h(
        "td",
        null,
        s.status !== "expired"
          ? h("button", {
              type: "button",
              class: "expire",
              onclick: async (e: Event) => {
                const b = e.currentTarget as HTMLButtonElement;
                b.disabled = true;
                try {
                  await send("DELETE", `/v1/silences/${encodeURIComponent(s.id)}`);
                  reload();
                } catch (err) {
                  b.disabled = false;
                  b.after(h("span", { class: "error small" }, ` ${err instanceof Error ? err.message : String(err)}`));
                }
              },
            }, "Expire")
          : null,
      ),
    ),
  );

  ctx.outlet.append(
    h("div", { class: "page-head" }, h("h1", null, "Alerts"), h("span", { class: "muted" }, `${firing} firing · ${current.length - firing} pending · ${rules.rules.length} rules`)),
    h("section", { class: "panel" }, h("h2", null, "Firing and pending"), list(current, "active-alerts", "Nothing is firing or pending.")),
    h("section", { class: "panel" }, h("h2", null, "Resolved"), list(resolved.alerts, "resolved-alerts", "No resolved alerts yet.")),
    h(
      "section",
      { class: "panel", "data-testid": "silences" },
      h("h2", null, "Silences"),
      silenceRows.length
        ? h("div", { class: "table-wrap" }, h("table", { class: "table" }, h("thead", null, h("tr", null, h("th", null, "Status"), h("th", null, "Matchers"), h("th", null, "Starts"), h("th", null, "Ends"), h("th", null, "Comment"), h("th", null, ""))), h("tbody", null, silenceRows)))
        : h("p", { class: "muted" }, "No silences."),
    ),
  );
  if (notifications) {
    ctx.outlet.append(h("section", { class: "panel" }, h("div", { class: "panel-head" }, h("h2", null, "Alert notifications"), h("a", { href: "/notifications?kind=alert", class: "small" }, "All notifications")), notificationsTable(sent.slice(0, 20), { testid: "notifications" })));
  }
  ctx.outlet.setAttribute("data-ready", "1");
  return () => unbinds.forEach((u) => u());
}
