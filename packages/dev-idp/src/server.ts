import { randomBytes } from "node:crypto";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { decodeJwt } from "jose";
import type Provider from "oidc-provider";
import type { KoaContextWithOIDC } from "oidc-provider";
import { requireIdTokenHint } from "./end-session.js";
import { exposeDate } from "./expose-date.js";
import { type InteractionAction, handleInteraction } from "./interactions.js";
import { generateSigningKey } from "./keys.js";
import { MemoryStore } from "./memory-store.js";
import { type DevIdpOptions, resolveOptions } from "./options.js";
import { carryOrgRestriction } from "./org-restriction.js";
import { createProvider } from "./provider.js";
import type { DevIdpUser } from "./users.js";

export interface DevIdp {
  /** `http://127.0.0.1:PORT/i_dev`: no trailing slash, equal to the discovery `issuer`. */
  issuerUrl: string;
  clientId: string;
  /** The client's registered redirect URIs, matched exactly. */
  redirectUris: readonly string[];
  /** The client's registered post-logout redirect URIs, matched exactly. */
  postLogoutRedirectUris: readonly string[];
  /** `http://127.0.0.1:PORT` */
  origin: string;
  users: readonly DevIdpUser[];
  close(): Promise<void>;
  /** Signs with a new key (new `kid`) from now on; the JWKS keeps publishing the old ones too. */
  rotateKeys(): Promise<void>;
  /** Token endpoint requests by `grant_type`, failed ones included, e.g. `{ refresh_token: 3 }`. */
  tokenRequests(): Record<string, number>;
  resetCounters(): void;
  blockUser(id: string): void;
  unblockUser(id: string): void;
  /** Every refresh token issued so far reaches the end of its lifetime now (a laptop asleep for a week). */
  expireRefreshTokens(): void;
}

const HOST = "127.0.0.1";
const INTERACTION_ROUTE = /^\/interaction\/([\w-]+)(?:\/(login|abort))?$/;
/** The key `tokenRequests()` uses for a token request that names no grant type. */
const NO_GRANT_TYPE = "(none)";

/** Starts an AuthPI-compatible OpenID provider on 127.0.0.1. */
export async function startDevIdp(options: DevIdpOptions = {}): Promise<DevIdp> {
  const config = resolveOptions(options);
  const { issuerPath, users } = config;
  const log = (line: string) => {
    if (!config.quiet) console.log(`[dev-idp] ${line}`);
  };
  const store = new MemoryStore();
  // Cookie signing keys live as long as the IdP: a key rotation must not sign everyone out.
  const cookieKeys = [randomBytes(32).toString("base64url")];
  let keys = [await generateSigningKey(config.signingAlg)];
  const counters = new Map<string, number>();

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      console.error("[dev-idp] request failed:", error);
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("Internal error in the dev IdP");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, HOST, () => resolve());
  });
  const origin = `http://${HOST}:${(server.address() as AddressInfo).port}`;
  const issuerUrl = `${origin}${issuerPath}`;

  function buildProvider(): { provider: Provider; handle: ReturnType<Provider["callback"]> } {
    const provider = createProvider({ ...config, issuerUrl, keys, cookieKeys, store, findUser });
    provider.use(requireIdTokenHint);
    provider.use(exposeDate);
    provider.use(carryOrgRestriction(store));
    provider.use(async (ctx: KoaContextWithOIDC, next) => {
      await next();
      // `oidc` is missing on requests that matched no provider route.
      if ((ctx.oidc as KoaContextWithOIDC["oidc"] | undefined)?.route === "token") afterTokenRequest(ctx);
    });
    for (const event of ["authorization.error", "grant.error", "userinfo.error", "revocation.error", "end_session.error"]) {
      provider.on(event, (_ctx: unknown, error: { error?: string; error_detail?: string; error_description?: string }) =>
        log(`${event}: ${error.error} (${error.error_detail ?? error.error_description})`),
      );
    }
    provider.on("server_error", (_ctx: unknown, error: unknown) => {
      if (!config.quiet) console.error("[dev-idp] server error:", error);
    });
    return { provider, handle: provider.callback() };
  }
  let current = buildProvider();

  /** Counts every token request, and lets userinfo and revocation find the JWT access token. */
  function afterTokenRequest(ctx: KoaContextWithOIDC): void {
    const grantType = ctx.oidc.params?.["grant_type"];
    const key = typeof grantType === "string" && grantType ? grantType : NO_GRANT_TYPE;
    counters.set(key, (counters.get(key) ?? 0) + 1);

    const at = ctx.oidc.entities.AccessToken;
    const body = ctx.body as { access_token?: unknown } | undefined;
    if (ctx.status !== 200 || !at || typeof body?.access_token !== "string") return;
    const { jti, iat, exp } = decodeJwt(body.access_token);
    if (!jti || !exp) return;
    store.rememberJwtAccessToken(
      body.access_token,
      {
        kind: "AccessToken",
        jti,
        iat,
        exp,
        clientId: at.clientId,
        accountId: at.accountId,
        grantId: at.grantId,
        gty: at.gty,
        scope: at.scope,
        sid: at.sid,
        sessionUid: at.sessionUid,
        expiresWithSession: at.expiresWithSession,
        claims: at.claims,
        extra: at.extra,
      },
      exp - Math.floor(Date.now() / 1000),
    );
  }

  function findUser(id: string): DevIdpUser | undefined {
    return users.find((user) => user.id === id);
  }

  function setBlocked(id: string, blocked: boolean): void {
    const user = findUser(id);
    if (!user) throw new Error(`unknown user id ${JSON.stringify(id)}`);
    user.blocked = blocked;
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname, search } = new URL(req.url ?? "/", origin);
    if (!pathname.startsWith(`${issuerPath}/`)) {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
      res.end(`Not found. This is the AuthPI dev IdP; its issuer is ${issuerUrl}\n`);
      return;
    }
    const interaction = INTERACTION_ROUTE.exec(pathname.slice(issuerPath.length));
    if (interaction?.[1]) {
      const action: InteractionAction = (interaction[2] as "login" | "abort" | undefined) ?? "show";
      if (req.method !== (action === "show" ? "GET" : "POST")) {
        res.writeHead(405, { Allow: action === "show" ? "GET" : "POST" });
        res.end();
        return;
      }
      const ctx = { provider: current.provider, issuerUrl, issuerPath, clientName: config.clientName, users, log };
      await handleInteraction(ctx, req, res, interaction[1], action);
      return;
    }
    // Mounted the way Express mounts it: the provider sees the path below the issuer and finds
    // its mount path (for the URLs it builds) in `originalUrl`.
    Object.assign(req, { originalUrl: `${pathname}${search}` });
    req.url = `${pathname.slice(issuerPath.length)}${search}`;
    await current.handle(req, res);
  }

  return {
    issuerUrl,
    clientId: config.clientId,
    redirectUris: config.redirectUris,
    postLogoutRedirectUris: config.postLogoutRedirectUris,
    origin,
    users,
    async close() {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections (fetch keeps them) would otherwise hold close() open.
        server.closeAllConnections();
      });
      store.clear();
    },
    async rotateKeys() {
      keys = [await generateSigningKey(config.signingAlg), ...keys];
      // oidc-provider reads its keys once, so a new provider takes over; sessions, grants and
      // tokens live in the shared store and survive.
      current = buildProvider();
    },
    tokenRequests: () => Object.fromEntries(counters),
    resetCounters: () => counters.clear(),
    blockUser: (id) => setBlocked(id, true),
    unblockUser: (id) => setBlocked(id, false),
    expireRefreshTokens: () => store.expire("RefreshToken"),
  };
}
