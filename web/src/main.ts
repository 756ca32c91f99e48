// The dashboard's entry: sign-in, the header with the pages this server supports, and the
// router. Pages live in pages/; a page for an optional capability registers with `requires`.
import { clearSession, currentSession, get, saveSession, setUnauthorizedHandler, storedKey, type Session, type WhoAmI } from "./api";
import { h } from "./dom";
import { availableEntries, registerPage } from "./features";
import { callsPage } from "./pages/calls";
import { conversationPage } from "./pages/conversation";
import { evalsPage } from "./pages/evals";
import { alertsPage } from "./pages/alerts";
import { explorerPage } from "./pages/explorer";
import { goalsPage } from "./pages/goals";
import { loginPage } from "./pages/login";
import { notificationsPage } from "./pages/notifications";
import { overviewPage } from "./pages/overview";
import { reportPage, reportsPage } from "./pages/reports";
import { startRouter } from "./router";
import "./style.css";

registerPage({ label: "Overview", href: "/", route: { pattern: /^\/$/, page: overviewPage } });
registerPage({ label: "KPIs", href: "/kpis", route: { pattern: /^\/kpis\/?$/, page: explorerPage } });
registerPage({ label: "Calls", href: "/calls", route: { pattern: /^\/calls\/?$/, page: callsPage } });
registerPage({ label: "Evals", href: "/evals", route: { pattern: /^\/evals(?:\/([^/]+))?\/?$/, page: evalsPage }, requires: "/v1/eval-runs" });
registerPage({ label: "", href: "", route: { pattern: /^\/conversations\/([^/]+)\/?$/, page: conversationPage } });
// Pages of optional capabilities: linked only when their API answers 200.
registerPage({ label: "Goals", href: "/goals", route: { pattern: /^\/goals\/?$/, page: goalsPage }, requires: "/v1/goals" });
registerPage({ label: "Alerts", href: "/alerts", route: { pattern: /^\/alerts\/?$/, page: alertsPage }, requires: "/v1/alerts" });
registerPage({ label: "Reports", href: "/reports", route: { pattern: /^\/reports\/?$/, page: reportsPage }, requires: "/v1/reports" });
registerPage({ label: "", href: "/reports/", route: { pattern: /^\/reports\/([^/]+)\/?$/, page: reportPage }, requires: "/v1/reports" });
registerPage({ label: "Notifications", href: "/notifications", route: { pattern: /^\/notifications\/?$/, page: notificationsPage }, requires: "/v1/notifications" });

const app = document.getElementById("app")!;

async function shell(s: Session): Promise<void> {
  const nav = h("nav", { class: "nav", "aria-label": "Pages" });
  const outlet = h("main", { id: "main", class: "main" });
  const signOut = h("button", { type: "button", class: "link" }, "Sign out");
  signOut.addEventListener("click", () => {
    clearSession();
    location.assign("/");
  });
  app.replaceChildren(
    h(
      "header",
      { class: "top" },
      h("a", { class: "brand", href: "/" }, "Yardstick"),
      nav,
      h("div", { class: "who", "data-testid": "project" }, h("span", { class: "muted small" }, s.role === "admin" ? "admin · " : "project "), h("strong", null, s.project), signOut),
    ),
    outlet,
  );
  // Only the pages this server supports are linked and routed.
  const entries = await availableEntries();
  const links = entries.filter((e) => e.label).map((e) => h("a", { href: e.href, "data-nav": e.href }, e.label));
  nav.replaceChildren(...links);
  startRouter(outlet, entries.map((e) => e.route), (ctx) => {
    ctx.outlet.append(h("h1", null, "Not found"), h("p", null, "No page at this address. ", h("a", { href: "/" }, "Go to the overview.")));
  }, (path) => {
    for (const a of links) {
      const href = a.getAttribute("href")!;
      const on = href === "/" ? path === "/" : path.startsWith(href) || (href === "/calls" && path.startsWith("/conversations/"));
      if (on) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
  });
}

async function boot(): Promise<void> {
  setUnauthorizedHandler(() => {
    clearSession();
    loginPage(app, (s) => void shell(s), "The key was refused; sign in again.");
  });
  const stored = storedKey();
  if (stored) {
    try {
      const who = await get<WhoAmI>("/v1/whoami", undefined, { key: stored.key });
      const project = who.role === "admin" ? stored.project : (who.project ?? "");
      if (project) {
        saveSession({ key: stored.key, role: who.role, project });
        await shell(currentSession()!);
        return;
      }
    } catch {
      clearSession();
    }
  }
  loginPage(app, (s) => void shell(s));
}

void boot();
