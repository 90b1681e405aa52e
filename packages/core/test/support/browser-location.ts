// Just enough of `location` and `history` for callback tests in Node: the
// address bar the SDK reads, cleans with replaceState and navigates away from.
import { vi } from "vitest";

export function installLocation(href: string) {
  const assigned: string[] = [];
  let current = new URL(href);
  const location = {
    get href() {
      return current.href;
    },
    get origin() {
      return current.origin;
    },
    get pathname() {
      return current.pathname;
    },
    get search() {
      return current.search;
    },
    get hash() {
      return current.hash;
    },
    assign: (url: string) => void assigned.push(url),
  };
  const history = {
    state: null,
    replaceState: vi.fn((_state: unknown, _title: string, url: string) => {
      current = new URL(url, current);
    }),
  };
  vi.stubGlobal("location", location);
  vi.stubGlobal("history", history);
  return {
    assigned,
    history,
    /** Simulates arriving at a URL (the IdP redirecting back). */
    visit: (url: string) => void (current = new URL(url, current)),
    get href() {
      return current.href;
    },
  };
}
