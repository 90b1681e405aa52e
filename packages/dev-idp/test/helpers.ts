import { afterAll, beforeAll, expect } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { HttpBrowser } from "../src/http-browser.js";
import { scriptedLogin, signInWith } from "../src/scripted-login.js";
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

/** Exchanges the code on `callback` (the redirect of `request`) for tokens; throws unless it works. */
export async function exchangeCode(idp: DevIdp, discovery: Discovery, request: { verifier: string }, callback: URL) {
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
  return body;
}

/** Login as `email` and exchange the code: the whole code + PKCE flow. */
export async function signIn(idp: DevIdp, discovery: Discovery, email: string, extra: Record<string, string> = {}) {
  const request = authorizationRequest(discovery, idp, extra);
  const callback = new URL(await scriptedLogin(request.url, { email }));
  return { request, callback, tokens: await exchangeCode(idp, discovery, request, callback) };
}

/** {@link signIn} in a browser that keeps the IdP session, for logout and silent logins. */
export async function signInBrowser(idp: DevIdp, discovery: Discovery, email: string, extra: Record<string, string> = {}) {
  const browser = new HttpBrowser();
  const request = authorizationRequest(discovery, idp, extra);
  const callback = new URL(await signInWith(browser, request.url, { email }));
  return { browser, request, callback, tokens: await exchangeCode(idp, discovery, request, callback) };
}

/** Follows redirects in `browser` until a page (returned) or a URL outside the IdP (returned as `left`). */
export async function open(browser: HttpBrowser, idp: DevIdp, start: URL, method: "GET" | "POST" = "GET", body?: URLSearchParams) {
  let url = start;
  let response = await browser.send(url, method, body);
  while (response.status >= 300 && response.status < 400) {
    url = new URL(response.headers.get("location") ?? "", url);
    if (url.origin !== idp.origin) return { left: url };
    response = await browser.send(url);
  }
  return { url, response, html: await response.text() };
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

/** Pages must work offline: nothing may load from anywhere, the default pages' Google Fonts included (inline scripts only, by hash). */
export function expectSelfContained(html: string, response: Response) {
  expect(html).not.toMatch(/<link|<img|@import|\ssrc=/i);
  const csp = response.headers.get("content-security-policy") ?? "";
  expect(csp).toContain("default-src 'none'");
  expect(csp).not.toMatch(/https?:|\*|'unsafe-inline'[^;]*script|script-src[^;]*'unsafe-inline'/);
}
