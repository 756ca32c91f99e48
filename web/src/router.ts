// History-API routing: paths like /kpis?kpi=error_rate are real URLs (the server answers every
// non-API path with index.html), so links can be shared and reloaded.

export interface PageContext {
  params: URLSearchParams;
  match: RegExpExecArray;
  signal: AbortSignal; // aborted when the user leaves the page
  outlet: HTMLElement;
}

// A page renders into ctx.outlet and may return a cleanup function (listeners, charts).
export type Page = (ctx: PageContext) => Promise<(() => void) | void> | (() => void) | void;

export interface Route {
  pattern: RegExp;
  page: Page;
}

let routes: Route[] = [];
let outletEl: HTMLElement | null = null;
let current: { abort: AbortController; cleanup?: () => void } | null = null;
let afterRender: (path: string) => void = () => {};
let notFound: Page = () => {};

export function startRouter(outlet: HTMLElement, table: Route[], fallback: Page, onRender: (path: string) => void): void {
  outletEl = outlet;
  routes = table;
  notFound = fallback;
  afterRender = onRender;
  window.addEventListener("popstate", () => void render());
  document.addEventListener("click", (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element).closest?.("a");
    if (!a || a.target || a.hasAttribute("download")) return;
    const href = a.getAttribute("href");
    if (!href || !href.startsWith("/") || href.startsWith("/v1/")) return;
    e.preventDefault();
    navigate(href);
  });
  void render();
}

export function navigate(href: string, replace = false): void {
  if (replace) history.replaceState(null, "", href);
  else history.pushState(null, "", href);
  void render();
}

// Changes the query string without re-rendering (the page already shows that state).
export function setQuery(params: URLSearchParams, replace = true): void {
  const s = params.toString();
  const href = location.pathname + (s ? `?${s}` : "");
  if (replace) history.replaceState(null, "", href);
  else history.pushState(null, "", href);
}

export async function render(): Promise<void> {
  if (!outletEl) return;
  if (current) {
    current.abort.abort();
    current.cleanup?.();
  }
  const abort = new AbortController();
  current = { abort };
  const path = location.pathname;
  outletEl.replaceChildren();
  outletEl.removeAttribute("data-ready");
  let page: Page = notFound;
  let match: RegExpExecArray = /.*/.exec(path)!;
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (m) {
      page = r.page;
      match = m;
      break;
    }
  }
  afterRender(path);
  const ctx: PageContext = { params: new URLSearchParams(location.search), match, signal: abort.signal, outlet: outletEl };
  try {
    const cleanup = await page(ctx);
    if (abort.signal.aborted) {
      if (cleanup) cleanup();
    } else if (cleanup) {
      current.cleanup = cleanup;
    }
  } catch (e) {
    if (abort.signal.aborted || (e instanceof DOMException && e.name === "AbortError")) return;
    // A failed request the page did not handle itself: say so where the page would be.
    const p = document.createElement("p");
    p.className = "error";
    p.textContent = `This page could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
    ctx.outlet.appendChild(p);
    ctx.outlet.setAttribute("data-ready", "1");
  }
}
