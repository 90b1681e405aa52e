import { ConfigurationError, type OAuthError } from "./errors.js";
import type { FetchLike } from "./http.js";
import type { StorageLike } from "./storage.js";
import type { TokenSet } from "./types.js";

export interface AuthPIClientOptions {
  /** The issuer, exactly as discovery states it: `https://idp.authpi.com/i_xxx`. */
  issuerUrl: string;
  clientId: string;
  /** Absolute URL registered for the client; sent exactly as given (RFC 9700 §2.1). */
  redirectUri: string;
  postLogoutRedirectUri?: string;
  /** Default `["openid", "profile", "email"]`; `openid` is always added. */
  scopes?: readonly string[];
  /** Restrict sessions to one organization. */
  org?: string;
  /** RFC 8707 resource indicators. */
  resources?: readonly string[];
  /** Refresh in the background before expiry. Default true. */
  autoRefresh?: boolean;
  /** Refresh this many seconds before expiry. Default 60 (never more than half the token's lifetime). */
  refreshBufferSeconds?: number;
  /** Where the session lives. Default `"session"` (sessionStorage). */
  storage?: "session" | "local" | "memory" | StorageLike;
  /**
   * A brand-new tab of a browser that has a session asks the IdP for it with a silent
   * `prompt=none` redirect before showing anything (`"redirect"`, the default), or starts
   * signed out (`"off"`). Only with `storage: "session"`: `"local"` shares the session anyway.
   */
  restoreSession?: "redirect" | "off";
  /** Leeway for ID-token `exp`/`iat`/`nbf`. Default 60. */
  clockSkewSeconds?: number;
  /** Origins that `client.fetch` may send the access token to. Default: none. */
  apiOrigins?: readonly string[];
  /** Give up on an IdP request after this long. Default 30. */
  requestTimeoutSeconds?: number;
  fetch?: FetchLike;
  /** Milliseconds since the epoch; for tests. */
  now?: () => number;
  onRefresh?: (tokens: TokenSet) => void;
  onRefreshError?: (error: OAuthError) => void;
}

export interface ResolvedOptions {
  issuerUrl: string;
  clientId: string;
  redirectUri: string;
  postLogoutRedirectUri: string | undefined;
  scopes: readonly string[];
  org: string | undefined;
  resources: readonly string[];
  autoRefresh: boolean;
  refreshBufferSeconds: number;
  storage: NonNullable<AuthPIClientOptions["storage"]>;
  restoreSession: boolean;
  clockSkewSeconds: number;
  apiOrigins: ReadonlySet<string>;
  timeoutMs: number;
  fetch: FetchLike;
  now: () => number;
  onRefresh: ((tokens: TokenSet) => void) | undefined;
  onRefreshError: ((error: OAuthError) => void) | undefined;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** An absolute https URL, or http on loopback for local development (RFC 8252 §8.3 spirit). */
export function isSecureUrl(value: unknown): boolean {
  try {
    const url = new URL(value as string);
    return typeof value === "string" && (url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname)));
  } catch {
    return false;
  }
}

/** An absolute https URL, or http on loopback for local development (RFC 8252 §8.3 spirit). */
function secureUrl(option: string, value: unknown): URL {
  if (typeof value !== "string" || value === "") throw new ConfigurationError(option, "is required and must be a string");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError(option, `must be an absolute URL, got "${value}"`);
  }
  if (!isSecureUrl(value)) {
    throw new ConfigurationError(option, "must use https (http is allowed only on localhost, 127.0.0.1 and [::1])");
  }
  if (url.hash) throw new ConfigurationError(option, "must not have a fragment");
  return url;
}

function stringList(option: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string" && item !== "" && !/\s/.test(item))) {
    throw new ConfigurationError(option, "must be an array of non-empty strings without spaces");
  }
  return value;
}

function seconds(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new ConfigurationError(option, "must be a finite number of seconds, zero or more");
  }
  return value;
}

function optionalFunction<T>(option: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== "function") throw new ConfigurationError(option, "must be a function");
  return value;
}

export function resolveOptions(options: AuthPIClientOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) throw new ConfigurationError("options", "must be an object");
  secureUrl("issuerUrl", options.issuerUrl);
  secureUrl("redirectUri", options.redirectUri);
  if (options.postLogoutRedirectUri !== undefined) secureUrl("postLogoutRedirectUri", options.postLogoutRedirectUri);
  if (typeof options.clientId !== "string" || options.clientId.trim() === "") {
    throw new ConfigurationError("clientId", "is required and must be a non-empty string");
  }
  if (options.org !== undefined && (typeof options.org !== "string" || options.org === "")) {
    throw new ConfigurationError("org", "must be a non-empty string");
  }
  const storage = options.storage;
  if (
    storage !== undefined &&
    storage !== "session" &&
    storage !== "local" &&
    storage !== "memory" &&
    !(typeof storage === "object" && storage !== null && ["getItem", "setItem", "removeItem"].every((m) => typeof (storage as unknown as Record<string, unknown>)[m] === "function"))
  ) {
    throw new ConfigurationError("storage", 'must be "session", "local", "memory" or an object with getItem, setItem and removeItem');
  }
  if (![undefined, "redirect", "off"].includes(options.restoreSession)) {
    throw new ConfigurationError("restoreSession", 'must be "redirect" or "off"');
  }
  const apiOrigins = new Set<string>();
  for (const origin of stringList("apiOrigins", options.apiOrigins) ?? []) {
    const url = secureUrl("apiOrigins", origin);
    if (url.origin !== origin) throw new ConfigurationError("apiOrigins", `"${origin}" is not an origin; write "${url.origin}"`);
    apiOrigins.add(origin);
  }
  const scopes = stringList("scopes", options.scopes) ?? ["openid", "profile", "email"];
  if (options.autoRefresh !== undefined && typeof options.autoRefresh !== "boolean") {
    throw new ConfigurationError("autoRefresh", "must be a boolean");
  }
  const fetchImpl = optionalFunction("fetch", options.fetch) ?? globalThis.fetch?.bind(globalThis);
  if (!fetchImpl) throw new ConfigurationError("fetch", "no global fetch here: pass one");
  return {
    issuerUrl: options.issuerUrl,
    clientId: options.clientId,
    redirectUri: options.redirectUri,
    postLogoutRedirectUri: options.postLogoutRedirectUri,
    scopes: scopes.includes("openid") ? scopes : ["openid", ...scopes],
    org: options.org,
    resources: stringList("resources", options.resources) ?? [],
    autoRefresh: options.autoRefresh ?? true,
    refreshBufferSeconds: seconds("refreshBufferSeconds", options.refreshBufferSeconds, 60),
    storage: storage ?? "session",
    restoreSession: options.restoreSession !== "off" && (storage ?? "session") === "session",
    clockSkewSeconds: seconds("clockSkewSeconds", options.clockSkewSeconds, 60),
    apiOrigins,
    timeoutMs: seconds("requestTimeoutSeconds", options.requestTimeoutSeconds, 30) * 1000,
    fetch: fetchImpl,
    now: optionalFunction("now", options.now) ?? Date.now,
    onRefresh: optionalFunction("onRefresh", options.onRefresh),
    onRefreshError: optionalFunction("onRefreshError", options.onRefreshError),
  };
}
