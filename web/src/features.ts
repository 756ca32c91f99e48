// Navigation entries. Core pages use APIs every server has; an optional page names the API it
// needs (`requires`), and its entry is shown only when a GET of that path answers 200, so pages
// for capabilities a server lacks (goals, alerts, eval runs) never appear there.
import { probe } from "./api";
import type { Route } from "./router";

export interface NavEntry {
  label: string; // "" for pages reached only by links (a conversation)
  href: string;
  route: Route;
  requires?: string; // an API path that must answer 200
}

const entries: NavEntry[] = [];

export function registerPage(entry: NavEntry): void {
  entries.push(entry);
}

// The entries this server supports, in registration order.
export async function availableEntries(): Promise<NavEntry[]> {
  const checks = await Promise.all(
    entries.map(async (e) => {
      if (!e.requires) return true;
      try {
        return (await probe(e.requires, { limit: 1 })) !== null;
      } catch {
        return false;
      }
    }),
  );
  return entries.filter((_, i) => checks[i]);
}
