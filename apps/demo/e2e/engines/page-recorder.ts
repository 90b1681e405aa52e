// What every page of the demo records for the scenarios, from its first frame: served by the
// test's Vite server inside the HTML, so it runs before the app's scripts in every engine
// (WebKit's WebDriver has no init scripts; Playwright and BiDi would each need their own).
import type { Plugin } from "vite";

export interface PageRecord {
  /** Every `[data-testid=status]` text shown, in order, without repeats. */
  statuses: string[];
  /** Messages of alert/confirm/prompt: a script injected by an attacker would show here. */
  dialogs: string[];
  /** `pageshow.persisted` of the last `pageshow`: true when restored from the back-forward cache. */
  restored: boolean | null;
}

function recordPage() {
  const record: PageRecord = { statuses: [], dialogs: [], restored: null };
  (window as unknown as { pageRecord: PageRecord }).pageRecord = record;
  new MutationObserver(() => {
    const text = document.querySelector("[data-testid=status]")?.textContent;
    if (text && record.statuses.at(-1) !== text) record.statuses.push(text);
  }).observe(document, { subtree: true, childList: true, characterData: true });
  // A real dialog would also block WebDriver's next command.
  const dialog = (message?: unknown) => void record.dialogs.push(String(message));
  Object.assign(window, { alert: dialog, confirm: dialog, prompt: dialog });
  addEventListener("pageshow", (event) => void (record.restored = event.persisted));
}

export const pageRecorder: Plugin = {
  name: "authpi-engines-page-recorder",
  transformIndexHtml: () => [{ tag: "script", children: `(${recordPage.toString()})();`, injectTo: "head-prepend" }],
};

/** What this page recorded (see {@link PageRecord}). */
export const pageRecord = () => (window as unknown as { pageRecord: PageRecord }).pageRecord;
