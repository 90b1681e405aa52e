import { sameOriginPath } from "./return-to.js";
import type { SafeStorage } from "./storage.js";

/** A login in flight: what the callback must match. */
export interface PendingLogin {
  codeVerifier: string;
  nonce: string;
  returnTo: string;
  createdAt: number;
  /** The `max_age` sent, so the ID token's `auth_time` can be checked (OIDC Core §3.1.3.7 step 13). */
  maxAge?: number | undefined;
  /** The organization the login asked to be restricted to: the session remembers it. */
  org?: string | undefined;
  /** A new tab's silent restoration (`prompt=none`): its failure is "signed out", not an error. */
  silent?: boolean | undefined;
  /** The logout epoch the login began in: a logout in any tab while the user was at the IdP voids it. */
  epoch?: string | undefined;
}

/** A stored entry, checked by hand: storage any script could have written. */
function isPendingLogin(value: unknown): value is PendingLogin {
  if (typeof value !== "object" || value === null) return false;
  const { codeVerifier, nonce, returnTo, createdAt, maxAge, org, silent, epoch } = value as Record<string, unknown>;
  const text = (field: unknown) => typeof field === "string";
  const optional = (field: unknown, check: (field: unknown) => boolean) => field === undefined || check(field);
  return text(codeVerifier) && text(nonce) && text(returnTo) && typeof createdAt === "number" && optional(maxAge, (v) => typeof v === "number") && optional(org, text) && optional(silent, (v) => typeof v === "boolean") && optional(epoch, text);
}

/** Pending logins expire: a callback older than this is refused. */
const MAX_AGE_MS = 10 * 60 * 1000;
/** Bounds the record when a user starts many logins and finishes none. */
const MAX_PENDING = 8;

/**
 * Pending logins, keyed by `state`, in the tab's storage. Several may coexist
 * (two logins started before either finished, security case 6): each callback
 * is checked against its own. Every read prunes expired and malformed entries.
 */
export class PendingLogins {
  constructor(
    private readonly storage: SafeStorage,
    private readonly key: string,
    private readonly now: () => number,
  ) {}

  #read(): Record<string, PendingLogin> {
    const stored = this.storage.getJson(this.key);
    const live: Record<string, PendingLogin> = {};
    if (typeof stored !== "object" || stored === null || Array.isArray(stored)) return live;
    for (const [state, login] of Object.entries(stored)) {
      if (isPendingLogin(login) && this.now() - login.createdAt < MAX_AGE_MS && login.createdAt <= this.now()) live[state] = login;
    }
    return live;
  }

  #write(logins: Record<string, PendingLogin>): void {
    if (Object.keys(logins).length === 0) this.storage.remove(this.key);
    else this.storage.set(this.key, JSON.stringify(logins));
  }

  /** Records a login; its `returnTo` is kept only as a same-origin path of `origin` (security case 15). */
  add(state: string, login: PendingLogin, origin: string): void {
    const entries = Object.entries(this.#read()).slice(-(MAX_PENDING - 1));
    this.#write({ ...Object.fromEntries(entries), [state]: { ...login, returnTo: sameOriginPath(login.returnTo, origin) } });
  }

  /**
   * Removes and returns the login for `state`, synchronously: the entry is gone
   * before the code is sent, so a replayed or concurrent callback finds
   * nothing and the code is sent at most once (security case 10).
   */
  take(state: string, origin: string): PendingLogin | undefined {
    const logins = this.#read();
    const login = Object.hasOwn(logins, state) ? logins[state] : undefined;
    if (login) delete logins[state];
    this.#write(logins);
    // Checked again on the way out: the record sat in storage that script could have changed.
    return login && { ...login, returnTo: sameOriginPath(login.returnTo, origin) };
  }

  isEmpty(): boolean {
    return Object.keys(this.#read()).length === 0;
  }

  clear(): void {
    this.storage.remove(this.key);
  }
}
