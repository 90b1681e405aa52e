// The issuer's discovery document and signing keys: fetched once per client,
// cached for this tab, and the ID-token verification that needs both, judged
// in the issuer's time (idp-clock.ts).
import type { JSONWebKeySet } from "jose";
import { ENDPOINTS, fetchMetadata, parseMetadata, type IssuerMetadata } from "./discovery.js";
import { InvalidResponseError, JwksError } from "./errors.js";
import { expectJson, send, type HttpContext } from "./http.js";
import { verifyIdToken, type IdTokenExpectations } from "./id-token.js";
import { IdpClock } from "./idp-clock.js";
import type { ResolvedOptions } from "./options.js";
import type { SafeStorage } from "./storage.js";
import type { IdTokenClaims } from "./types.js";

/** Public issuer data this tab keeps across reloads: no secrets, re-validated on read. */
interface IssuerCache {
  metadata: unknown;
  keys?: JSONWebKeySet;
  savedAt: number;
}

/** The cache's shape; its metadata is then parsed like a fresh answer, and its keys by jose. */
function isIssuerCache(value: unknown): value is IssuerCache {
  if (typeof value !== "object" || value === null) return false;
  const { savedAt, keys } = value as Record<string, unknown>;
  const keySet = keys === undefined || (typeof keys === "object" && keys !== null && Array.isArray((keys as { keys?: unknown }).keys));
  return typeof savedAt === "number" && keySet;
}
const CACHE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * Cached metadata whose every endpoint is on the issuer's origin, else `undefined` (fetch it
 * again). The cache is storage any script of the origin can write once: trusting it as it is would
 * send every later code, verifier and refresh token to an endpoint of its choosing, long after
 * the script is gone. Discovery fetched from the issuer itself is not limited.
 */
function onIssuerOrigin(metadata: IssuerMetadata, issuerUrl: string): IssuerMetadata | undefined {
  const origin = new URL(issuerUrl).origin;
  return ENDPOINTS.every((name) => !metadata[name] || new URL(metadata[name]).origin === origin) ? metadata : undefined;
}

export class Issuer {
  #metadata: Promise<IssuerMetadata> | null = null;
  #keys: Promise<JSONWebKeySet> | null = null;
  /** The IdP's time, learned from its token responses; timers stay on the device's clock. */
  readonly clock: IdpClock;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly http: HttpContext,
    private readonly storage: SafeStorage,
    private readonly cacheKey: string,
  ) {
    this.clock = new IdpClock(options.now);
  }

  /**
   * Discovery, once per client. A reloaded page reuses what this tab fetched
   * within the last day, so a restored session's first refresh is one request,
   * not three; the copy is validated like a fresh answer.
   */
  metadata(): Promise<IssuerMetadata> {
    this.#metadata ??= this.#fromCache((cached) => onIssuerOrigin(parseMetadata(cached.metadata, this.options.issuerUrl, "the cache"), this.options.issuerUrl))
      .catch(() =>
        fetchMetadata(this.http, this.options.issuerUrl, this.options.now()).then((metadata) => {
          this.#saveCache({ metadata, savedAt: this.options.now() });
          return metadata;
        }),
      )
      .catch((error: unknown) => {
        this.#metadata = null; // a failed discovery is retried next time
        throw error;
      });
    return this.#metadata;
  }

  /** The issuer's keys; `refetch` after an unknown `kid` (key rotation) skips every cache. */
  keys(refetch: boolean): Promise<JSONWebKeySet> {
    if (refetch || !this.#keys) {
      const cached = refetch ? Promise.reject(new Error("refetch")) : this.#fromCache((entry) => entry.keys as JSONWebKeySet | undefined);
      const keys = cached.catch(() => this.#fetchKeys());
      this.#keys = keys;
      keys.catch(() => {
        if (this.#keys === keys) this.#keys = null;
      });
    }
    return this.#keys;
  }

  async #fetchKeys(): Promise<JSONWebKeySet> {
    const { jwks_uri } = await this.metadata();
    let keys: JSONWebKeySet;
    try {
      const body = await expectJson(await send(this.http, jwks_uri, { headers: { accept: "application/json" } }), jwks_uri, { now: this.options.now() });
      if (!Array.isArray(body.keys)) throw new InvalidResponseError("the JWKS has no keys array");
      keys = body as unknown as JSONWebKeySet;
    } catch (cause) {
      // Fail closed (security case 3): no key set, no verification, no tokens.
      throw new JwksError(`fetching the issuer's keys from ${jwks_uri} failed`, { cause });
    }
    this.#saveCache({ metadata: await this.metadata(), keys, savedAt: this.options.now() });
    return keys;
  }

  /** A cached value, or a rejection when there is none (or it does not validate). */
  async #fromCache<T>(pick: (cache: IssuerCache) => T | undefined): Promise<T> {
    const cache = this.storage.getJson(this.cacheKey);
    // A cache saved "in the future" (a clock that ran ahead, a planted entry) would never expire.
    const age = isIssuerCache(cache) ? this.options.now() - cache.savedAt : -1;
    const value = age >= 0 && age < CACHE_MAX_AGE_MS ? pick(cache as IssuerCache) : undefined;
    if (value === undefined) throw new Error("not cached");
    return value;
  }

  #saveCache(cache: IssuerCache): void {
    this.storage.set(this.cacheKey, JSON.stringify(cache));
  }

  async verify(idToken: string, expect: Partial<IdTokenExpectations>): Promise<IdTokenClaims> {
    const metadata = await this.metadata();
    return verifyIdToken(idToken, (refetch) => this.keys(refetch), {
      issuer: metadata.issuer,
      clientId: this.options.clientId,
      clockSkewSeconds: this.options.clockSkewSeconds,
      nowMs: this.clock.idpNow(),
      advertisedAlgorithms: metadata.id_token_signing_alg_values_supported,
      ...expect,
    });
  }
}
