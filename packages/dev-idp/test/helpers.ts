import { afterAll, beforeAll } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { scriptedLogin } from "../src/scripted-login.js";
import { startDevIdp, type DevIdp } from "../src/server.js";
import type { DevIdpOptions } from "../src/options.js";

export const REDIRECT_URI = "http://127.0.0.1:5173/callback";
export const SPA_ORIGIN = "http://127.0.0.1:5173";

export interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  revocation_endpoint: string;
  end_session_endpoint: string;
  jwks_uri: string;
  [key: string]: unknown;
}

export async function discover(idp: DevIdp): Promise<Discovery> {
  const response = await fetch(`${idp.issuerUrl}/.well-known/openid-configuration`);
  return (await response.json()) as Discovery;
}

const random = () => randomBytes(32).toString("base64url");

/** A hand-made authorization request, as an SPA builds it (SPEC §2: PKCE S256, state, nonce). */
export function authorizationRequest(discovery: Discovery, idp: DevIdp, extra: Record<string, string> = {}) {
  const verifier = random();
  const state = random();
  const nonce = random();
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: idp.clientId,
    response_type: "code",
    redirect_uri: REDIRECT_URI,
    scope: "openid profile email",
    state,
    nonce,
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    ...extra,
  }).toString();
  return { url: url.href, verifier, state, nonce };
}

export interface TokenResponse {
  access_token: string;
  id_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
  error?: string;
  error_description?: string;
}

export async function tokenRequest(
  discovery: Discovery,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: TokenResponse; headers: Headers }> {
  const response = await fetch(discovery.token_endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(params),
  });
  return { status: response.status, body: (await response.json()) as TokenResponse, headers: response.headers };
}

/** Login as `email` and exchange the code: the whole code + PKCE flow. */
export async function signIn(idp: DevIdp, discovery: Discovery, email: string) {
  const request = authorizationRequest(discovery, idp);
  const callback = new URL(await scriptedLogin(request.url, { email }));
  const code = callback.searchParams.get("code");
  if (!code) throw new Error(`no code in ${callback.href}`);
  const { status, body } = await tokenRequest(discovery, {
    grant_type: "authorization_code",
    client_id: idp.clientId,
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: request.verifier,
  });
  if (status !== 200) throw new Error(`token request failed: ${JSON.stringify(body)}`);
  return { request, callback, tokens: body };
}

/** One dev IdP (and its discovery document) for the enclosing describe block. */
export function useDevIdp(options: DevIdpOptions = {}): { readonly idp: DevIdp; readonly discovery: Discovery } {
  const env = {} as { idp: DevIdp; discovery: Discovery };
  beforeAll(async () => {
    env.idp = await startDevIdp({ quiet: true, ...options });
    env.discovery = await discover(env.idp);
  });
  afterAll(() => env.idp?.close());
  return env;
}
