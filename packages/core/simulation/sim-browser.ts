// The browser around the tabs: per-tab globals (location, history, BroadcastChannel,
// navigator.locks, localStorage, sessionStorage, window, document) though the client reads them
// from globalThis: getters on globalThis return the running page's (node:async_hooks carries the
// page through every promise continuation; sim-loop.ts runs each task in its owner's context).
// - localStorage: one copy per tab (renderer process); a write is seen at once by its own tab and
//   by the others after a lag, in order per pair of tabs. sessionStorage: per tab, copied on
//   duplicate, kept across reloads and navigations of the tab.
// - BroadcastChannel: each post reaches every other open channel of the name after its own delay
//   (so messages reorder); a post made right after its channel opened may reach no one (Chromium
//   registers channels asynchronously, whatwg/html#7267). A frozen page gets its messages on
//   resume; a page in the back-forward cache loses them.
// - Pages: load after a delay, navigate away (its tasks die with it, its locks are released),
//   freeze and resume (`resume`), go to the back-forward cache and come back (`pageshow`).
import { SimLocks } from "./sim-locks.js";
import { currentPage, type Loop, type Owner, type Task } from "./sim-loop.js";
import { short, type Trace } from "./trace.js";
import type { AuthPIClient } from "../src/index.js";
import type { StorageLike } from "../src/storage.js";
import type { WakeReason } from "../src/wake-events.js";
import { chance, randomInt } from "./sim-random.js";

export interface BrowserFaults {
  /** localStorage lag between tabs, ms. */
  storageLag: [number, number];
  /** BroadcastChannel delivery delay, ms. */
  channelDelay: [number, number];
  /** Probability that a post within 500 ms of its channel opening reaches no one. */
  freshPostLoss: number;
  /** ms between a lock release and the next grant. */
  lockHandover: [number, number];
}

export class Tab {
  readonly session = new Map<string, string>();
  local: Map<string, string>;
  page: Page | null = null;
  closed = false;
  /** Pages this tab has loaded, for labels. */
  pages = 0;
  constructor(
    readonly id: number,
    local: Map<string, string>,
  ) {
    this.local = local;
  }
}

export class Page implements Owner {
  state: Owner["state"] = "loading";
  readonly held: Task[] = [];
  readonly label: string;
  url: URL;
  client: AuthPIClient | null = null;
  readonly channels = new Set<SimChannel>();
  readonly wakes = new Set<(reason: WakeReason) => void>();
  navigation: Task | null = null;
  /** Fetches whose answer has not come: a page with one cannot enter the back-forward cache. */
  pendingFetches = 0;
  globals: Record<string, unknown> = {};
  /** When the page went away (closed, reloaded, navigated), true ms. */
  goneAt: number | null = null;
  constructor(
    readonly tab: Tab,
    url: string,
  ) {
    tab.pages += 1;
    this.label = `t${tab.id}.p${tab.pages}`;
    this.url = new URL(url);
  }
}

export interface SimChannel {
  readonly name: string;
  readonly page: Page;
  readonly openedAt: number;
  closed: boolean;
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(data: unknown): void;
  close(): void;
}

export interface BrowserHooks {
  /** A page's load task: construct and start its client. */
  load(page: Page): void;
  /** A page navigated to a URL outside the app (the IdP). */
  leave(page: Page, url: URL): void;
  /** Storage was written in `tab` (its own write or one arriving from another tab). */
  stored(tab: Tab, area: "local" | "session", key: string, value: string | null, by: Page | null): void;
  /** A channel message reached a page. */
  delivered(page: Page, data: unknown): void;
  /** A page posted a channel message (before any loss). */
  posted(page: Page, data: unknown): void;
}

const GLOBALS = ["location", "history", "BroadcastChannel", "navigator", "localStorage", "sessionStorage", "window", "document"] as const;

export class SimBrowser {
  readonly tabs: Tab[] = [];
  readonly master = new Map<string, string>();
  readonly locks: SimLocks;
  readonly #channels = new Set<SimChannel>();
  /** When the latest write from one tab reaches another: later writes never overtake it. */
  readonly #lastArrival = new Map<string, number>();
  #saved: Array<[string, PropertyDescriptor | undefined]> = [];

  constructor(
    readonly loop: Loop,
    readonly trace: Trace,
    readonly faults: BrowserFaults,
    readonly hooks: BrowserHooks,
  ) {
    this.locks = new SimLocks(loop, trace, () => randomInt(...faults.lockHandover));
  }

  install(): void {
    this.#saved = GLOBALS.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)]);
    for (const name of GLOBALS) {
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get: () => (currentPage.getStore() as Page | undefined)?.globals[name],
      });
    }
  }

  uninstall(): void {
    for (const [name, descriptor] of this.#saved) {
      if (descriptor) Object.defineProperty(globalThis, name, descriptor);
      else delete (globalThis as Record<string, unknown>)[name];
    }
  }

  get liveTabs(): Tab[] {
    return this.tabs.filter((tab) => !tab.closed);
  }

  /** A new tab (a link opened in one, or a duplicate with a copy of `copyFrom`'s sessionStorage). */
  openTab(url: string, copyFrom: Tab | null, loadDelay: number): Tab {
    const tab = new Tab(this.tabs.length, new Map(this.master));
    if (copyFrom) for (const [key, value] of copyFrom.session) tab.session.set(key, value);
    this.tabs.push(tab);
    this.load(tab, url, loadDelay);
    return tab;
  }

  /** Loads `url` in `tab` after `delay` ms (the old page, if any, is already gone). */
  load(tab: Tab, url: string, delay: number): Page {
    const page = new Page(tab, url);
    tab.page = page;
    page.globals = this.#globals(page);
    this.loop.at(delay, page, `load ${page.url.pathname}${page.url.search ? "?" + [...page.url.searchParams.keys()].join("&") : ""}`, () => {
      page.state = "running";
      this.hooks.load(page);
    });
    return page;
  }

  /** The page is gone: its tasks are dropped, its channels closed, its locks released. */
  kill(page: Page, why: string): void {
    if (page.state === "dead") return;
    page.state = "dead";
    page.goneAt = this.loop.now;
    page.held.length = 0;
    for (const channel of page.channels) channel.close();
    this.locks.releaseAll(page);
    if (page.tab.page === page) page.tab.page = null;
    this.trace.line(page.label, `page gone (${why})`);
  }

  close(tab: Tab): void {
    if (tab.page) this.kill(tab.page, "tab closed");
    tab.closed = true;
  }

  freeze(page: Page): void {
    page.state = "frozen";
  }

  /** Resumes a frozen page, or restores one from the back-forward cache: the wake event first, then what was held. */
  wake(page: Page, reason: WakeReason): void {
    if (page.state !== "frozen" && page.state !== "bfcache") return;
    page.state = "running";
    this.trace.line(page.label, `${reason} (${page.held.length} tasks held, ${page.wakes.size} listeners)`);
    currentPage.run(page, () => {
      for (const wake of Array.from(page.wakes)) wake(reason);
    });
    for (const task of page.held.splice(0)) this.loop.release(task);
  }

  #storage(page: Page, area: "local" | "session"): StorageLike {
    const map = () => (area === "local" ? page.tab.local : page.tab.session);
    const write = (key: string, value: string | null) => {
      if (page.state === "dead") return;
      if (value === null) map().delete(key);
      else map().set(key, value);
      this.hooks.stored(page.tab, area, key, value, page);
      if (area === "local") this.#share(page.tab, key, value);
    };
    return {
      getItem: (key) => map().get(key) ?? null,
      setItem: (key, value) => write(key, String(value)),
      removeItem: (key) => write(key, null),
    };
  }

  /** A localStorage write reaches the browser's copy now and every other tab after its lag, in order per pair of tabs. */
  #share(from: Tab, key: string, value: string | null): void {
    if (value === null) this.master.delete(key);
    else this.master.set(key, value);
    for (const tab of this.liveTabs) {
      if (tab === from) continue;
      const pair = `${from.id}>${tab.id}`;
      const at = Math.max((this.#lastArrival.get(pair) ?? 0) + 1, this.loop.now + randomInt(...this.faults.storageLag));
      this.#lastArrival.set(pair, at);
      this.loop.at(at - this.loop.now, null, `storage t${from.id}→t${tab.id} ${value === null ? "remove" : "set"} ${keyLabel(key)}`, () => {
        if (tab.closed) return;
        if (value === null) tab.local.delete(key);
        else tab.local.set(key, value);
        this.hooks.stored(tab, "local", key, value, null);
        // The `storage` event a running page gets for another tab's write (a cached or frozen one gets none).
        const page = tab.page;
        if (page?.state === "running") currentPage.run(page, () => Array.from(page.wakes).forEach((wake) => wake("storage")));
      });
    }
  }

  #globals(page: Page): Record<string, unknown> {
    const loop = this.loop;
    const channels = this.#channels;
    const post = (channel: SimChannel, data: unknown) => this.#post(channel, data);
    const navigate = (url: string) => this.navigate(page, url);
    const location = {
      get href() {
        return page.url.href;
      },
      get origin() {
        return page.url.origin;
      },
      get pathname() {
        return page.url.pathname;
      },
      get search() {
        return page.url.search;
      },
      get hash() {
        return page.url.hash;
      },
      assign: navigate,
      replace: navigate,
      reload: () => navigate(page.url.href),
    };
    const history = {
      state: null,
      replaceState: (_state: unknown, _title: string, url: string) => {
        page.url = new URL(url, page.url);
      },
    };
    class Channel implements SimChannel {
      onmessage: ((event: { data: unknown }) => void) | null = null;
      closed = false;
      readonly page = page;
      readonly openedAt = loop.now;
      constructor(readonly name: string) {
        page.channels.add(this);
        channels.add(this);
      }
      postMessage(data: unknown): void {
        if (this.closed) throw new DOMException("closed", "InvalidStateError");
        post(this, data);
      }
      close(): void {
        this.closed = true;
        channels.delete(this);
      }
    }
    return {
      location,
      history,
      BroadcastChannel: Channel,
      navigator: { locks: this.locks.managerFor(page) },
      localStorage: this.#storage(page, "local"),
      sessionStorage: this.#storage(page, "session"),
      window: new EventTarget(),
      document: Object.assign(new EventTarget(), { visibilityState: "visible" }),
    };
  }

  #post(from: SimChannel, data: unknown): void {
    if (from.page.state === "dead") return;
    const what = describeMessage(data);
    this.hooks.posted(from.page, data);
    if (this.loop.now - from.openedAt < 500 && chance(this.faults.freshPostLoss)) {
      this.trace.line(from.page.label, `post ${what}: LOST (channel opened ${this.loop.now - from.openedAt} ms ago)`);
      return;
    }
    this.trace.line(from.page.label, `post ${what}`);
    for (const channel of this.#channels) {
      if (channel === from || channel.name !== from.name || channel.closed) continue;
      const copy = structuredClone(data);
      this.loop.at(
        randomInt(...this.faults.channelDelay),
        channel.page,
        `message ${what} from ${from.page.label}`,
        () => {
          if (channel.closed) return;
          this.hooks.delivered(channel.page, copy);
          channel.onmessage?.({ data: copy });
        },
        "message",
      );
    }
  }

  /** `location.assign`: the page keeps running until the navigation commits, then it is gone. */
  navigate(page: Page, url: string): void {
    if (page.state === "dead") return;
    const target = new URL(url, page.url);
    if (page.navigation) page.navigation.cancelled = true;
    this.trace.line(page.label, `navigate → ${target.origin}${target.pathname}`);
    page.navigation = this.loop.at(randomInt(20, 300), page, `navigation commits`, () => {
      this.kill(page, `navigated to ${target.pathname}`);
      if (target.origin === page.url.origin) this.load(page.tab, target.href, randomInt(50, 800));
      else this.hooks.leave(page, target);
    });
  }
}

export const keyLabel = (key: string) => key.replace(/^authpi:[^:]+:/, "");

function describeMessage(data: unknown): string {
  const message = data as { type?: string; from?: string };
  return `${message.type ?? "?"}${message.from ? ` from=${short(message.from)}` : ""}`;
}
