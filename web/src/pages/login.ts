// Sign-in: the page asks for an API key, checks it with GET /v1/whoami and keeps it in
// sessionStorage (gone when the tab closes). A project key shows its project; the admin key
// picks one of the projects.
import { ApiError, get, saveSession, type Session, type WhoAmI } from "../api";
import { h } from "../dom";

export function loginPage(outlet: HTMLElement, onDone: (s: Session) => void, message?: string): void {
  const keyInput = h("input", { id: "api-key", name: "key", type: "password", autocomplete: "off", required: true, size: 44, spellcheck: "false", placeholder: "ys_…" });
  const error = h("p", { class: "error", role: "alert" }, message ?? "");
  const projectHost = h("div");
  const form = h(
    "form",
    { class: "panel login", "aria-label": "Sign in" },
    h("h1", null, "Yardstick"),
    h("p", null, "Enter an API key. A project key shows its own project; the admin key can choose any project."),
    h("label", { for: "api-key" }, "API key"),
    keyInput,
    h("button", { type: "submit", class: "primary" }, "Sign in"),
    error,
    projectHost,
    h("p", { class: "muted small" }, "The key stays in this browser tab only (sessionStorage) and is sent only to this server."),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    const key = keyInput.value.trim();
    try {
      const who = await get<WhoAmI>("/v1/whoami", undefined, { key });
      if (who.role !== "admin" && who.project) {
        const s = { key, role: who.role, project: who.project };
        saveSession(s);
        onDone(s);
        return;
      }
      const { projects } = await get<{ projects: string[] }>("/v1/projects", undefined, { key });
      if (projects.length === 0) {
        error.textContent = "No projects yet. Create one: POST /v1/projects {\"name\": \"demo\"} with the admin key.";
        return;
      }
      const select = h("select", { id: "project" }, projects.map((p) => h("option", { value: p }, p)));
      const go = h("button", { type: "button", class: "primary" }, "Open project");
      go.addEventListener("click", () => {
        const s = { key, role: "admin", project: select.value };
        saveSession(s);
        onDone(s);
      });
      projectHost.replaceChildren(h("label", { for: "project" }, "Project "), select, go);
    } catch (err) {
      error.textContent = err instanceof ApiError && err.status === 401 ? "This key is not known to the server." : `Cannot sign in: ${err instanceof Error ? err.message : String(err)}`;
    }
  });
  outlet.replaceChildren(form);
  keyInput.focus();
}
