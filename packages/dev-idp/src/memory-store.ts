import type { Adapter, AdapterPayload } from "oidc-provider";

/** A code or token, as oidc-provider's models name them. */
export interface TokenRef {
  kind: string;
  jti: string;
}

interface Entry {
  value: unknown;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** Models whose records belong to a grant, so a revoked grant takes them all down. */
const GRANTABLE = new Set(["AccessToken", "AuthorizationCode", "RefreshToken"]);
const SWEEP_INTERVAL_MS = 60_000;

/**
 * oidc-provider's storage for one dev IdP, in memory. oidc-provider's own MemoryAdapter would do,
 * but it is one store per process (two IdPs in one test run would share it), it warns on every
 * start that it is not for production (true, and irrelevant to a dev tool), and it cannot hold
 * the one thing we add: the JWT access tokens (see {@link rememberJwtAccessToken}).
 */
export class MemoryStore {
  readonly #entries = new Map<string, Entry>();
  #lastSweep = Date.now();

  /** The `adapter` option of oidc-provider: one adapter per model name. */
  readonly adapter = (model: string): Adapter => ({
    upsert: async (id, payload, expiresIn) => this.#upsert(model, id, payload, expiresIn),
    find: async (id) => this.#find(model, id),
    findByUid: async (uid) => {
      const id = this.#get(`sessionUid:${uid}`);
      return typeof id === "string" ? this.#find(model, id) : undefined;
    },
    // The device flow (the only user of user codes) is not enabled.
    findByUserCode: async () => undefined,
    consume: async (id) => {
      const payload = this.#find(model, id);
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    },
    destroy: async (id) => {
      this.#entries.delete(`${model}:${id}`);
    },
    revokeByGrantId: async (grantId) => {
      const keys = this.#get(`grant:${grantId}`);
      if (Array.isArray(keys)) for (const key of keys) this.#entries.delete(key as string);
      this.#entries.delete(`grant:${grantId}`);
    },
  });

  /**
   * oidc-provider does not store JWT access tokens, and its userinfo endpoint only accepts stored
   * tokens without an audience. AuthPI's userinfo accepts its JWT access tokens, so the token
   * endpoint hands each one it issues to us: stored under its `jti` like an opaque token and
   * found by its exact value. Userinfo (claims masked by the granted scopes, grant and session
   * checks), revocation and grant revocation then apply to it through the provider's own code.
   * The record leaves out `aud`: that is what lets userinfo accept it.
   */
  rememberJwtAccessToken(value: string, payload: AdapterPayload & { jti: string }, expiresIn: number): void {
    this.#upsert("AccessToken", payload.jti, payload, expiresIn);
    this.#set(`jwt:${value}`, payload.jti, expiresIn);
  }

  /** The `org` a code's or token's authorization was restricted to (see org-restriction.ts). */
  restrictToOrg(token: TokenRef, org: string, expiresIn: number): void {
    this.#set(`org:${token.kind}:${token.jti}`, org, expiresIn);
  }

  orgRestriction(token: TokenRef): string | undefined {
    const org = this.#get(`org:${token.kind}:${token.jti}`);
    return typeof org === "string" ? org : undefined;
  }

  /** Drops every record of one model, as if each had reached its lifetime (tests of expiry). */
  expire(model: string): void {
    for (const key of this.#entries.keys()) if (key.startsWith(`${model}:`)) this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  #upsert(model: string, id: string, payload: AdapterPayload, expiresIn: number): void {
    this.#sweep();
    const key = `${model}:${id}`;
    if (model === "Session" && payload.uid) this.#set(`sessionUid:${payload.uid}`, id, expiresIn);
    if (GRANTABLE.has(model) && payload.grantId) {
      const grantKey = `grant:${payload.grantId}`;
      const keys = this.#get(grantKey);
      const previous = this.#entries.get(grantKey)?.expiresAt ?? 0;
      this.#entries.set(grantKey, {
        value: Array.isArray(keys) ? [...keys, key] : [key],
        expiresAt: Math.max(previous, Date.now() + expiresIn * 1000),
      });
    }
    this.#set(key, payload, expiresIn);
  }

  #find(model: string, id: string): AdapterPayload | undefined {
    const jti = model === "AccessToken" ? this.#get(`jwt:${id}`) : undefined;
    const value = this.#get(`${model}:${typeof jti === "string" ? jti : id}`);
    return value as AdapterPayload | undefined;
  }

  #set(key: string, value: unknown, expiresIn: number): void {
    this.#entries.set(key, { value, expiresAt: Date.now() + expiresIn * 1000 });
  }

  #get(key: string): unknown {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Drops expired records now and then, so a dev IdP left running for days stays small. */
  #sweep(): void {
    const now = Date.now();
    if (now - this.#lastSweep < SWEEP_INTERVAL_MS) return;
    this.#lastSweep = now;
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }
}
