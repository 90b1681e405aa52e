/** Anything shaped like Web Storage. Values are strings. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function memoryStorage(): StorageLike {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

function webStorage(name: "sessionStorage" | "localStorage"): StorageLike | undefined {
  try {
    // Reading the property throws in sandboxed iframes and with storage disabled.
    return (globalThis as unknown as Record<string, StorageLike | undefined>)[name];
  } catch {
    return undefined;
  }
}

/**
 * The storage an option names. Where Web Storage does not exist (a server
 * render, a worker, Node) the session lives in memory instead of failing.
 */
export function resolveStorage(option: "session" | "local" | "memory" | StorageLike): StorageLike {
  if (option === "memory") return memoryStorage();
  if (option === "session") return webStorage("sessionStorage") ?? memoryStorage();
  if (option === "local") return webStorage("localStorage") ?? memoryStorage();
  return option;
}

/**
 * Where the cross-tab ledger and the logout tombstone live: localStorage,
 * which every tab of the origin shares (sessionStorage is per tab), unless the
 * app chose `memory`: then nothing of the SDK's goes to Web Storage.
 */
export function ledgerStorage(option: "session" | "local" | "memory" | StorageLike, configured: StorageLike): StorageLike {
  return option === "memory" ? configured : (webStorage("localStorage") ?? configured);
}

/**
 * Reads and writes that never throw: a full quota, a revoked permission or a
 * hostile custom store must not crash the app. A failed read is
 * "nothing stored"; a failed write leaves the session in memory only.
 */
export class SafeStorage {
  constructor(private readonly storage: StorageLike) {}

  get(key: string): string | null {
    try {
      const value = this.storage.getItem(key);
      return typeof value === "string" ? value : null;
    } catch {
      return null;
    }
  }

  set(key: string, value: string): void {
    try {
      this.storage.setItem(key, value);
    } catch {
      // Quota or permission: the session still works in memory for this page.
    }
  }

  remove(key: string): void {
    try {
      this.storage.removeItem(key);
    } catch {
      // Nothing more we can do; a later read validates whatever is left.
    }
  }

  /** Parsed JSON, or `undefined` (and the key removed) when it is not JSON. */
  getJson(key: string): unknown {
    const raw = this.get(key);
    if (raw === null) return undefined;
    try {
      return JSON.parse(raw);
    } catch {
      this.remove(key);
      return undefined;
    }
  }
}
