// One conversation: its calls in order with latencies, tokens, cost, input and output as stored
// (redacted at ingest), the scores and feedback on each call, and the conversation's outcomes.
import { ApiError, get, type Call, type Conversation, type Score } from "../api";
import { keyboardList } from "../components/keyboard_list";
import { append, h } from "../dom";
import { formatInt, formatMs, formatTime, formatUsd } from "../format";
import { type PageContext } from "../router";

function scoreText(s: Score): string {
  const v = s.value !== undefined ? String(s.value) : "";
  return [v, s.label].filter(Boolean).join(" ");
}

function scoreList(scores: Score[]): HTMLElement | null {
  if (scores.length === 0) return null;
  return h(
    "ul",
    { class: "scores" },
    scores.map((s) =>
      h(
        "li",
        { "data-score": s.name },
        h("span", { class: "chip" }, `${s.name}: ${scoreText(s)}`),
        s.source ? h("span", { class: "muted small" }, ` ${s.source}${s.author ? ` · ${s.author}` : ""}`) : null,
        s.comment ? h("div", { class: "comment" }, `“${s.comment}”`) : null,
      ),
    ),
  );
}

function metric(label: string, key: string, ...value: (string | HTMLElement | null)[]): HTMLElement {
  return h("div", null, h("dt", null, label), h("dd", { class: key }, ...value));
}

function callCard(c: Call, i: number, scores: Score[]): HTMLElement {
  const model = c.response_model ?? c.model ?? c.request_model ?? "";
  const error = c.status === "error";
  return h(
    "article",
    { class: `call-card${error ? " failed" : ""}`, "data-call": c.id },
    h(
      "header",
      null,
      h("span", { class: "turn" }, `#${i + 1}`),
      h("strong", null, model || "call"),
      c.route ? h("span", { class: "chip" }, c.route) : null,
      h("span", { class: "muted small" }, formatTime(c.start_time)),
      error ? h("span", { class: "badge status-missed" }, c.error_type || "error") : null,
    ),
    h(
      "dl",
      { class: "metrics" },
      metric("Latency", "latency", formatMs(c.duration_ms)),
      c.ttft_ms !== undefined ? metric("TTFT", "ttft", formatMs(c.ttft_ms)) : null,
      metric("Tokens in / out", "tokens", `${formatInt(c.input_tokens)} / ${formatInt(c.output_tokens)}`),
      metric("Cost", "cost", formatUsd(c.cost_usd), c.cost_computed ? h("span", { class: "muted small" }, " (priced)") : null),
      c.finish_reason ? metric("Finish", "finish", c.finish_reason) : null,
    ),
    c.input !== undefined ? h("div", { class: "io-block" }, h("h4", null, "Input"), h("pre", { class: "io" }, c.input)) : null,
    c.output !== undefined ? h("div", { class: "io-block" }, h("h4", null, "Output"), h("pre", { class: "io" }, c.output)) : null,
    scoreList(scores),
  );
}

export async function conversationPage(ctx: PageContext): Promise<() => void> {
  const id = decodeURIComponent(ctx.match[1]);
  const { signal } = ctx;
  let unbind = () => {};
  ctx.outlet.append(h("div", { class: "page-head" }, h("h1", null, "Conversation ", h("code", null, id)), h("a", { href: `/calls?range=all&conversation_id=${encodeURIComponent(id)}` }, "as a list")));
  let conv: Conversation;
  try {
    conv = await get<Conversation>(`/v1/conversations/${encodeURIComponent(id)}`, undefined, { signal });
  } catch (e) {
    if (signal.aborted) return unbind;
    ctx.outlet.append(h("p", { class: "error" }, e instanceof ApiError && e.status === 404 ? `No conversation '${id}' in this project.` : String(e instanceof Error ? e.message : e)));
    ctx.outlet.setAttribute("data-ready", "1");
    return unbind;
  }
  if (signal.aborted) return unbind;
  const sm = conv.summary;
  const seconds = sm.start_time && sm.end_time ? (Date.parse(sm.end_time) - Date.parse(sm.start_time)) / 1000 : null;
  const byCall = new Map<string, Score[]>();
  const general: Score[] = [];
  for (const s of conv.scores) {
    if (s.call_id && conv.calls.some((c) => c.id === s.call_id)) byCall.set(s.call_id, [...(byCall.get(s.call_id) ?? []), s]);
    else general.push(s);
  }
  const cards = conv.calls.map((c, i) => callCard(c, i, byCall.get(c.id) ?? []));
  const list = h("div", { class: "call-list", role: "list", "aria-label": "Calls in order (arrow keys to move)" }, cards);
  append(ctx.outlet, [
    h(
      "section",
      { class: "panel summary-grid", "data-testid": "conversation-summary" },
      stat("Calls", formatInt(sm.calls), "calls"),
      stat("Cost", formatUsd(sm.cost_usd), "cost"),
      stat("Tokens", formatInt(sm.tokens), "tokens"),
      stat("Duration", seconds === null ? "–" : formatMs(seconds * 1000), "duration"),
      stat("Started", formatTime(sm.start_time), "start"),
    ),
    conv.outcomes.length
      ? h(
          "section",
          { class: "panel", "data-testid": "outcomes" },
          h("h2", null, "Outcomes"),
          h("ul", { class: "outcomes" }, conv.outcomes.map((o) => h("li", { "data-outcome": o.name }, h("span", { class: "chip" }, o.name), o.value !== undefined && o.value !== 1 ? ` value ${o.value}` : "", h("span", { class: "muted small" }, ` ${formatTime(o.time)}`)))),
        )
      : null,
    general.length ? h("section", { class: "panel", "data-testid": "feedback" }, h("h2", null, "Feedback on the conversation"), scoreList(general)) : null,
    h("section", { class: "panel" }, h("h2", null, `Calls (${conv.calls.length})`), list),
  ]);
  cards.forEach((c) => c.setAttribute("role", "listitem"));
  unbind = keyboardList(list, cards, (card) => card.classList.toggle("expanded"));
  ctx.outlet.setAttribute("data-ready", "1");
  return () => unbind();
}

function stat(label: string, value: string, key: string): HTMLElement {
  return h("div", { class: "stat", "data-stat": key }, h("div", { class: "muted small" }, label), h("div", { class: "stat-value" }, value));
}
