// A client on fake timers with a stored session, against the hostile IdP's
// in-memory fetch: the fake clock alone decides when requests go out.
import { afterEach, beforeAll, beforeEach, vi } from "vitest";
import { AuthPIClient, type TokenSet } from "../../src/index.js";
import { memoryStorage, type StorageLike } from "../../src/storage.js";
import { startHostileIdp, type HostileIdp } from "./hostile-idp.js";

export const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
export const SESSION_KEY = "authpi:cli_test:session";

/** Lets in-flight promise chains (the in-memory fetch, response bodies) finish. */
export async function settle() {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

export async function advance(ms: number) {
  await vi.advanceTimersByTimeAsync(ms);
  await settle();
}

export interface SeedPatch {
  expiresIn?: number;
  lifetime?: number;
  refreshToken?: string | null;
  sub?: string;
  organizations?: Array<{ id: string; title?: string | null; scopes: string[]; joined_at: number }>;
  /** The login was restricted to this organization. */
  org?: string;
  /** Fields that overwrite the record's own (to corrupt it). */
  record?: Record<string, unknown>;
}

/** A session record as a login would have stored it, `expiresIn` seconds from now. */
export function seedSession(storage: StorageLike, idp: HostileIdp, patch: SeedPatch = {}) {
  const now = Math.floor(Date.now() / 1000);
  const expiresAt = now + (patch.expiresIn ?? 300);
  const tokens: TokenSet = {
    accessToken: "at-0",
    idToken: "id-0",
    ...(patch.refreshToken === null ? {} : { refreshToken: patch.refreshToken ?? "rt-0" }),
    tokenType: "Bearer",
    scope: "openid",
    expiresAt,
  };
  const claims = { iss: idp.issuer, sub: patch.sub ?? "usr_1", aud: "cli_test", exp: expiresAt, iat: now, ...(patch.organizations ? { organizations: patch.organizations } : {}) };
  const record = { v: 1, issuer: idp.issuer, clientId: "cli_test", tokens, claims, receivedAt: expiresAt - (patch.lifetime ?? 300), ...(patch.org ? { org: patch.org } : {}), ...patch.record };
  storage.setItem(SESSION_KEY, JSON.stringify(record));
}

export function fakeClient(idp: HostileIdp, storage: StorageLike, extra: Partial<ConstructorParameters<typeof AuthPIClient>[0]> = {}) {
  return new AuthPIClient({ issuerUrl: idp.issuer, clientId: "cli_test", redirectUri: "http://127.0.0.1:5173/callback", storage, fetch: idp.fetch, ...extra });
}

export function useFakeBrowser() {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: T0 });
  vi.stubGlobal("window", new EventTarget());
  vi.stubGlobal("document", Object.assign(new EventTarget(), { visibilityState: "visible" }));
}

/**
 * Every test of the file gets a fresh hostile IdP, an empty storage and the fake
 * browser; the protocol chunk is loaded once up front, so the fake clock, not
 * module loading, decides when requests go out. Read `env` inside the tests.
 */
export function useFakeSession(): { readonly idp: HostileIdp; readonly storage: StorageLike } {
  const env = {} as { idp: HostileIdp; storage: StorageLike };
  beforeAll(() => import("../../src/protocol.js"));
  beforeEach(async () => {
    env.idp = await startHostileIdp();
    env.storage = memoryStorage();
    useFakeBrowser();
  });
  afterEach(async () => {
    vi.useRealTimers();
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
    await env.idp.close();
  });
  return env;
}
