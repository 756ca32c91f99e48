// Calls: a filterable list, newest first, paginated with the API's cursors; arrow keys move
// through the rows and Enter opens the call's conversation (or its details).
import { get, type Call } from "../api";
import { emptyState } from "../components/empty_state";
import { keyboardList } from "../components/keyboard_list";
import { append, h } from "../dom";
import { formatInt, formatMs, formatTime, formatUsd } from "../format";
import { navigate, type PageContext } from "../router";
import { PRESETS } from "../time";

export const CALL_FILTERS = ["model", "route", "environment", "variant", "prompt_version", "status", "conversation_id", "user_id"];
const PAGE_SIZE = 50;

export async function callsPage(ctx: PageContext): Promise<() => void> {
  const { signal, params } = ctx;
  const range = params.get("range") ?? "24h";
  const cursor = params.get("cursor") ?? "";
  const prev = (params.get("prev") ?? "").split(" ").filter(Boolean); // earlier pages' cursors ("-": the first)
  let unbind = () => {};

  const inputs: (HTMLInputElement | HTMLSelectElement)[] = CALL_FILTERS.map((f) =>
    f === "status"
      ? h(
          "select",
          { name: f, id: `f-${f}` },
          ["", "ok", "error", "unset"].map((v) => h("option", { value: v, selected: (params.get(f) ?? "") === v }, v || "any status")),
        )
      : h("input", { name: f, id: `f-${f}`, value: params.get(f) ?? "", placeholder: f, size: 12, spellcheck: "false" }),
  );
  const rangeSelect = h(
    "select",
    { id: "range", name: "range" },
    [...PRESETS.map((p) => p.label), "all"].map((r) => h("option", { value: r, selected: r === range }, r === "all" ? "all time" : `last ${r}`)),
  );
  const query = (extra: Record<string, string> = {}) => {
    const q = new URLSearchParams();
    q.set("range", rangeSelect.value);
    inputs.forEach((i) => i.value.trim() && q.set(i.name, i.value.trim()));
    for (const [k, v] of Object.entries(extra)) if (v) q.set(k, v);
    return `/calls?${q}`;
  };
  const form = h(
    "form",
    {
      class: "controls",
      "aria-label": "Call filters",
      onsubmit: (e: Event) => {
        e.preventDefault();
        navigate(query());
      },
    },
    h("label", null, "Range ", rangeSelect),
    inputs.map((i) => h("label", { class: "filter" }, h("span", { class: "sr-only" }, i.name), i)),
    h("button", { type: "submit", class: "primary" }, "Filter"),
  );
  rangeSelect.addEventListener("change", () => navigate(query()));
  inputs.forEach((i) => i instanceof HTMLSelectElement && i.addEventListener("change", () => navigate(query())));

  const listHost = h("div", { class: "table-wrap" });
  const pager = h("div", { class: "pager" });
  ctx.outlet.append(h("div", { class: "page-head" }, h("h1", null, "Calls")), h("section", { class: "panel" }, form), h("section", { class: "panel" }, listHost, pager));

  const apiParams: Record<string, string | undefined> = { limit: String(PAGE_SIZE), cursor: cursor || undefined };
  if (range !== "all") apiParams.from = `now-${range}`;
  for (const f of CALL_FILTERS) apiParams[f] = params.get(f) || undefined;
  try {
    const page = await get<{ calls: Call[]; next_cursor: string | null }>("/v1/calls", apiParams, { signal });
    if (signal.aborted) return unbind;
    if (page.calls.length === 0 && !cursor) {
      const filtered = CALL_FILTERS.some((f) => params.get(f));
      listHost.appendChild(
        filtered
          ? h("p", { class: "muted", "data-testid": "no-match" }, "No calls match these filters in this range.")
          : emptyState(range === "all" ? "No calls yet" : `No calls in the last ${range}`),
      );
    } else {
      const rows: HTMLElement[] = [];
      const body = h("tbody");
      for (const c of page.calls) {
        const row = h(
          "tr",
          { class: "row", "data-call": c.id, "data-conversation": c.conversation_id ?? "" },
          h("td", { class: "nowrap" }, formatTime(c.start_time)),
          h("td", null, c.response_model ?? c.model ?? c.request_model ?? "–"),
          h("td", null, c.route ?? ""),
          h("td", null, c.environment ?? ""),
          h("td", { class: "num" }, formatMs(c.duration_ms)),
          h("td", { class: "num" }, `${formatInt(c.input_tokens)} / ${formatInt(c.output_tokens)}`),
          h("td", { class: "num" }, formatUsd(c.cost_usd)),
          h("td", null, h("span", { class: `badge status-${c.status === "error" ? "missed" : "met"}` }, c.status === "error" ? c.error_type || "error" : c.status ?? "ok")),
          h("td", null, c.conversation_id ? h("a", { href: `/conversations/${encodeURIComponent(c.conversation_id)}` }, c.conversation_id) : ""),
        );
        rows.push(row);
        body.appendChild(row);
      }
      const table = h(
        "table",
        { class: "table calls", "aria-label": "Calls (arrow keys to move, Enter to open)" },
        h(
          "thead",
          null,
          h("tr", null, ["Time (UTC)", "Model", "Route", "Env", "Latency", "Tokens in / out", "Cost", "Status", "Conversation"].map((t, i) => h("th", { class: i >= 4 && i <= 6 ? "num" : "" }, t))),
        ),
        body,
      );
      listHost.appendChild(table);
      unbind = keyboardList(table, rows, (row) => {
        const conv = row.getAttribute("data-conversation");
        if (conv) {
          navigate(`/conversations/${encodeURIComponent(conv)}`);
          return;
        }
        toggleDetails(row, page.calls.find((c) => c.id === row.getAttribute("data-call"))!);
      });
      append(pager, [
        h("span", { class: "muted small" }, `Page ${prev.length + 1} · ${page.calls.length} calls`),
        prev.length || cursor
          ? h("a", { class: "button", href: query({ cursor: (prev[prev.length - 1] ?? "-").replace(/^-$/, ""), prev: prev.slice(0, -1).join(" ") }), rel: "prev" }, "← Newer")
          : null,
        page.next_cursor ? h("a", { class: "button", href: query({ cursor: page.next_cursor, prev: [...prev, cursor || "-"].join(" ") }), rel: "next" }, "Older →") : null,
      ]);
    }
  } catch (e) {
    if (signal.aborted) return unbind;
    listHost.appendChild(h("p", { class: "error" }, e instanceof Error ? e.message : String(e)));
  }
  ctx.outlet.setAttribute("data-ready", "1");
  return () => unbind();
}

// A call without a conversation: its stored fields in a row under it.
function toggleDetails(row: HTMLElement, c: Call): void {
  const next = row.nextElementSibling;
  if (next?.classList.contains("details")) {
    next.remove();
    return;
  }
  const cells = row.children.length;
  row.after(h("tr", { class: "details" }, h("td", { colspan: cells }, callFields(c))));
}

export function callFields(c: Call): HTMLElement {
  const skip = new Set(["input", "output", "attributes"]);
  const dl = h("dl", { class: "fields" });
  for (const [k, v] of Object.entries(c)) {
    if (skip.has(k) || v === undefined || v === null) continue;
    dl.append(h("dt", null, k), h("dd", null, String(v)));
  }
  for (const [k, v] of Object.entries(c.attributes ?? {})) dl.append(h("dt", null, `attributes.${k}`), h("dd", null, v));
  return h(
    "div",
    { class: "call-fields" },
    dl,
    c.input !== undefined ? h("div", null, h("h4", null, "Input"), h("pre", { class: "io" }, c.input)) : null,
    c.output !== undefined ? h("div", null, h("h4", null, "Output"), h("pre", { class: "io" }, c.output)) : null,
  );
}
