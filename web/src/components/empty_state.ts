// What to send when there is nothing to show: the OTLP endpoint and a curl that posts a call.
import { h } from "../dom";

function copyable(text: string, label: string): HTMLElement {
  const pre = h("pre", { class: "copy-text", tabindex: 0 }, text);
  const button = h("button", { class: "copy", type: "button", "aria-label": `Copy ${label}` }, "Copy");
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = "Copied";
    } catch {
      // No clipboard permission: select the text so Ctrl-C copies it.
      const range = document.createRange();
      range.selectNodeContents(pre);
      const sel = getSelection();
      sel?.removeAllRanges();
      sel?.addRange(range);
      button.textContent = "Selected";
    }
    setTimeout(() => (button.textContent = "Copy"), 1500);
  });
  return h("div", { class: "copy-block" }, pre, button);
}

export function emptyState(title: string, detail?: string): HTMLElement {
  const origin = location.origin;
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const curl =
    `curl -s ${origin}/v1/events \\\n` +
    `  -H "Authorization: Bearer $YARDSTICK_KEY" \\\n` +
    `  -d '[{"type":"call","id":"first-call","conversation_id":"conv-1",\n` +
    `       "start_time":"${now}","duration_ms":850,"model":"gpt-4o-mini",\n` +
    `       "input_tokens":52,"output_tokens":47},\n` +
    `      {"type":"score","name":"thumbs","value":true,"call_id":"first-call","source":"user"}]'`;
  const otlp = `OTEL_EXPORTER_OTLP_ENDPOINT=${origin}\nOTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer $YARDSTICK_KEY"`;
  return h(
    "section",
    { class: "empty-state", "data-testid": "empty-state" },
    h("h2", null, title),
    detail ? h("p", null, detail) : null,
    h("p", null, "Send calls, scores and outcomes with your project's API key (", h("code", null, "YARDSTICK_KEY"), "):"),
    h("h3", null, "From an OpenTelemetry-instrumented application (OTLP/HTTP)"),
    copyable(otlp, "OTLP settings"),
    h("h3", null, "Or post events directly"),
    copyable(curl, "curl command"),
    h("p", { class: "muted" }, "Records appear here as soon as the server acknowledges them. The event format is in docs/api.md."),
  );
}
