// A tiny in-memory AuthPI: discovery, JWKS and a token endpoint that signs
// real ID tokens, plus what core stores (session record, pending login) so a
// test can start from any state. Shapes follow core's session-record.ts and
// pending-login.ts.
import { AuthPIClient, type StorageLike } from "@authpi/core";
import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";

export const ISSUER = "https://idp.authpi.test/i_react";
export const CLIENT_ID = "cli_react";
export const SUBJECT = "usr_alice";

interface OrganizationClaim {
  id: string;
  title: string | null;
  scopes: string[];
  joined_at: number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

export function memoryStorage(): StorageLike & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

export async function createIdp() {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
  let issued = 0;

  const idp = {
    /** What the next ID token says about the user's organizations. */
    organizations: [{ id: "org_a", title: "A", scopes: ["projects:read"], joined_at: 1_700_000_000 }] as OrganizationClaim[],
    /** Form parameters of every token request, in order. */
    tokenRequests: [] as URLSearchParams[],

    claims(extra: Record<string, unknown> = {}) {
      const iat = nowSeconds();
      return { iss: ISSUER, aud: CLIENT_ID, sub: SUBJECT, iat, exp: iat + 3600, email: "alice@example.test", organizations: idp.organizations, ...extra };
    },

    async tokenResponse(nonce: string | undefined) {
      issued += 1;
      const idToken = await new SignJWT(idp.claims(nonce === undefined ? {} : { nonce }))
        .setProtectedHeader({ alg: "ES256", kid: "k1", typ: "JWT" })
        .sign(privateKey);
      return { access_token: `at-${issued}`, refresh_token: `rt-${issued}`, token_type: "Bearer", expires_in: 3600, scope: "openid profile email", id_token: idToken };
    },

    fetch: async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const path = new URL(input instanceof Request ? input.url : input).pathname.slice(new URL(ISSUER).pathname.length);
      if (path === "/.well-known/openid-configuration") {
        return json({ issuer: ISSUER, authorization_endpoint: `${ISSUER}/auth`, token_endpoint: `${ISSUER}/token`, jwks_uri: `${ISSUER}/jwks` });
      }
      if (path === "/jwks") return json({ keys: [jwk] });
      if (path === "/token") {
        const params = new URLSearchParams(String(init?.body));
        idp.tokenRequests.push(params);
        return json(await idp.tokenResponse(params.get("grant_type") === "authorization_code" ? PENDING_NONCE : undefined));
      }
      return json({ error: "not_found" }, 404);
    },
  };
  return idp;
}

export type Idp = Awaited<ReturnType<typeof createIdp>>;

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

/**
 * A session as core stores it after a login: restored synchronously by the
 * next client. Its refresh token is unique: core's cross-tab ledger (in
 * localStorage, shared by a file's tests) remembers every token spent.
 */
export function seedSession(storage: StorageLike, idp: Idp): void {
  const receivedAt = nowSeconds();
  const refreshToken = `rt-seeded-${crypto.randomUUID()}`;
  const record = {
    v: 1,
    issuer: ISSUER,
    clientId: CLIENT_ID,
    tokens: { accessToken: "at-0", idToken: "id-0", refreshToken, tokenType: "Bearer", scope: "openid profile email", expiresAt: receivedAt + 3600 },
    claims: idp.claims(),
    receivedAt,
  };
  storage.setItem(`authpi:${CLIENT_ID}:session`, JSON.stringify(record));
}

const PENDING_NONCE = "nonce-1";

/** A login started before the redirect to the IdP, as `loginWithRedirect()` stores it. */
export function seedPendingLogin(storage: StorageLike, state: string, returnTo: string): void {
  const login = { codeVerifier: "verifier-1", nonce: PENDING_NONCE, returnTo, createdAt: Date.now() };
  storage.setItem(`authpi:${CLIENT_ID}:logins`, JSON.stringify({ [state]: login }));
}

export function createClient(storage: StorageLike, idp: Idp): AuthPIClient {
  return new AuthPIClient({ issuerUrl: ISSUER, clientId: CLIENT_ID, redirectUri: `${location.origin}/callback`, storage, fetch: idp.fetch });
}
