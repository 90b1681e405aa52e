// A small hostile OpenID provider for what a real one never sends: forged,
// unsigned or mis-claimed ID tokens, broken discovery and JWKS, chosen status
// codes, HTML bodies and delays. One scenario per test; every request is logged.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type CryptoKey } from "jose";

export type Alg = "RS256" | "ES256" | "EdDSA";

export interface Reply {
  body?: unknown;
  /** 0: no answer at all (the in-memory fetch throws like an offline network). */
  status?: number;
  /** Raw body, sent as-is (HTML, broken JSON). */
  raw?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface HostileIdp {
  issuer: string;
  /** Answers like the server, in memory; a reply with `status: 0` is a network failure. */
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  clientId: string;
  /** Every request: path and form/query parameters. */
  requests: Array<{ method: string; path: string; params: Record<string, string>; at: number }>;
  count(path: string): number;
  /** Overrides for one endpoint; a function sees the parameters. */
  on(path: "/token" | "/jwks" | "/.well-known/openid-configuration" | "/userinfo" | "/revoke", reply: Reply | ((params: Record<string, string>) => Reply | Promise<Reply>)): void;
  /** An ID token signed with the published key (or `key` to forge one). */
  idToken(claims?: JWTPayload, options?: { key?: CryptoKey; alg?: string; kid?: string }): Promise<string>;
  /** A key pair of the same algorithm that is NOT published. */
  foreignKey(): Promise<CryptoKey>;
  /** Publish a new signing key and sign with it from now on. */
  rotate(): Promise<void>;
  defaultClaims(): JWTPayload;
  tokenResponse(extra?: Record<string, unknown>): Promise<Record<string, unknown>>;
  publicJwk: JWK;
  close(): Promise<void>;
}

export async function startHostileIdp(options: { alg?: Alg; issuerSuffix?: string } = {}): Promise<HostileIdp> {
  const alg = options.alg ?? "ES256";
  let { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  let kid = "k1";
  let jwks: JWK[] = [{ ...(await exportJWK(publicKey)), kid, alg, use: "sig" }];
  const overrides = new Map<string, Reply | ((params: Record<string, string>) => Reply | Promise<Reply>)>();
  const requests: HostileIdp["requests"] = [];
  const clientId = "cli_test";

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${origin}/i_hostile${options.issuerSuffix ?? ""}`;

  const now = () => Math.floor(Date.now() / 1000);
  const defaultClaims = (): JWTPayload => ({
    iss: issuer,
    aud: clientId,
    sub: "usr_hostile",
    iat: now(),
    exp: now() + 300,
    nonce: "n-1",
    email: "h@example.test",
    organizations: [{ id: "org_a", title: "A", scopes: ["projects:**"], joined_at: 1_700_000_000 }],
  });

  async function idToken(claims: JWTPayload = {}, opts: { key?: CryptoKey; alg?: string; kid?: string } = {}): Promise<string> {
    const payload = { ...defaultClaims(), ...claims };
    for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
    return new SignJWT(payload).setProtectedHeader({ alg: opts.alg ?? alg, kid: opts.kid ?? kid, typ: "JWT" }).sign(opts.key ?? privateKey);
  }

  async function tokenResponse(extra: Record<string, unknown> = {}) {
    return {
      access_token: `at-${Math.random().toString(36).slice(2)}`,
      token_type: "Bearer",
      expires_in: 300,
      refresh_token: `rt-${Math.random().toString(36).slice(2)}`,
      id_token: await idToken(),
      scope: "openid profile email",
      ...extra,
    };
  }

  const defaults: Record<string, (params: Record<string, string>) => Promise<Reply>> = {
    "/.well-known/openid-configuration": async () => ({
      body: {
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        userinfo_endpoint: `${issuer}/userinfo`,
        revocation_endpoint: `${issuer}/revoke`,
        end_session_endpoint: `${issuer}/logout`,
        id_token_signing_alg_values_supported: ["ES256", "RS256", "EdDSA"],
        code_challenge_methods_supported: ["S256"],
        authorization_response_iss_parameter_supported: true,
      },
    }),
    "/jwks": async () => ({ body: { keys: jwks } }),
    "/token": async () => ({ body: await tokenResponse() }),
    "/userinfo": async () => ({ body: { sub: "usr_hostile", email: "h@example.test" } }),
    "/revoke": async () => ({ status: 200, raw: "" }),
  };

  async function respond(method: string, path: string, params: Record<string, string>): Promise<Reply> {
    requests.push({ method, path, params, at: Date.now() });
    const override = overrides.get(path);
    const fallback = defaults[path];
    const reply: Reply = override
      ? typeof override === "function"
        ? await override(params)
        : override
      : fallback
        ? await fallback(params)
        : { status: 404, body: { error: "not_found" } };
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    return reply;
  }

  const contentType = (reply: Reply) => ({ "content-type": reply.raw === undefined ? "application/json" : "text/html", ...reply.headers });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", origin);
    let body = "";
    for await (const chunk of req) body += chunk;
    const params = Object.fromEntries(new URLSearchParams(req.method === "POST" ? body : url.search));
    const reply = await respond(req.method ?? "GET", url.pathname.replace(/^\/i_hostile[^/]*/, ""), params);
    if (res.destroyed) return;
    res.writeHead(reply.status ?? 200, contentType(reply));
    res.end(reply.raw ?? JSON.stringify(reply.body));
  }

  /** The same provider without sockets, for tests on fake timers. */
  async function inMemoryFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const params = Object.fromEntries(new URLSearchParams(request.method === "POST" ? await request.text() : url.search));
    const reply = await respond(request.method, url.pathname.replace(/^\/i_hostile[^/]*/, ""), params);
    if (reply.status === 0) throw new TypeError("fetch failed");
    return new Response(reply.raw ?? JSON.stringify(reply.body), { status: reply.status ?? 200, headers: contentType(reply) });
  }

  return {
    issuer,
    clientId,
    fetch: inMemoryFetch,
    requests,
    count: (path) => requests.filter((r) => r.path === path).length,
    on: (path, reply) => void overrides.set(path, reply),
    idToken,
    foreignKey: async () => (await generateKeyPair(alg, { extractable: true })).privateKey,
    rotate: async () => {
      ({ privateKey, publicKey } = await generateKeyPair(alg, { extractable: true }));
      kid = `k${jwks.length + 1}`;
      jwks = [...jwks, { ...(await exportJWK(publicKey)), kid, alg, use: "sig" }];
    },
    defaultClaims,
    tokenResponse,
    get publicJwk() {
      return jwks[jwks.length - 1] as JWK;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
