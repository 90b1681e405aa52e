// A device clock minutes off the IdP's (issue 15, fault 7). ID-token times are
// judged in the IdP's time, learned from the token response's `Date` header,
// so sign-in and refresh work and an expired token is still refused.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AuthPIClient, TokenParseError, type TokenSet } from "../src/index.js";
import { IdpClock } from "../src/idp-clock.js";
import { startHostileIdp, type HostileIdp } from "./support/hostile-idp.js";
import { rejection } from "./support/rejection.js";

const FIVE_MINUTES = 5 * 60 * 1000;
/** The IdP's (and the test's real) time, unix seconds. */
const idpNow = () => Math.floor(Date.now() / 1000);

let idp: HostileIdp;
beforeAll(async () => {
  idp = await startHostileIdp({ alg: "ES256" });
});
afterAll(() => idp.close());
afterEach(() => {
  idp.on("/token", undefined as never);
  idp.requests.length = 0;
});

/** A client whose clock is `shiftMs` off the IdP's; it talks to the IdP over real sockets (real `Date` headers). */
function clientAt(shiftMs: number, extra: Partial<ConstructorParameters<typeof AuthPIClient>[0]> = {}) {
  return new AuthPIClient({
    issuerUrl: idp.issuer,
    clientId: idp.clientId,
    redirectUri: "http://127.0.0.1:5173/callback",
    storage: "memory",
    now: () => Date.now() + shiftMs,
    ...extra,
  });
}

/** Token responses like the fault suite's: a 10 s access token and ID token, stamped with the IdP's time. */
function shortLivedTokens(claims: Record<string, unknown> = {}, headers?: Record<string, string>) {
  idp.on("/token", async () => ({
    body: await idp.tokenResponse({ id_token: await idp.idToken({ exp: idpNow() + 10, ...claims }), expires_in: 10 }),
    ...(headers ? { headers } : {}),
  }));
}

describe.each([
  ["ahead of", FIVE_MINUTES],
  ["behind", -FIVE_MINUTES],
])("a client clock 5 min %s the IdP", (_case, shift) => {
  it("exchangeCode() accepts a fresh ID token, and refresh() the next one", async () => {
    shortLivedTokens();
    const client = clientAt(shift);
    const agent = await client.exchangeCode("code", "verifier", { nonce: "n-1" });
    expect(agent.id).toBe("usr_hostile");
    // Refresh timing stays on the device's clock: receipt + expires_in (not 5 min more or less; slack for a busy machine).
    expect(agent.expiresIn).toBeGreaterThanOrEqual(5);
    expect(agent.expiresIn).toBeLessThanOrEqual(10);
    const refreshed = await client.refresh(agent);
    expect(refreshed.tokens.accessToken).not.toBe(agent.tokens.accessToken);
    expect(refreshed.expiresIn).toBeGreaterThanOrEqual(5);
  });

  it("exchangeCallback() judges max_age against the IdP's time (OIDC Core §3.1.3.7 step 13)", async () => {
    shortLivedTokens({ auth_time: idpNow() - 5 });
    const login = { url: "", codeVerifier: "verifier", state: "s-1", nonce: "n-1", maxAge: 60 };
    const agent = await clientAt(shift).exchangeCallback(`http://127.0.0.1:5173/callback?code=c&state=s-1&iss=${encodeURIComponent(idp.issuer)}`, login);
    expect(agent.claims.auth_time).toBeDefined();
  });

  it("createAgent() reads back a stored set and refreshes it at most once, not on every call", async () => {
    shortLivedTokens();
    // Stored on the device's clock when received, 10 s ago at most; a new page has learned nothing of the IdP's clock yet.
    const stored: TokenSet = { accessToken: "at-0", idToken: await idp.idToken({ exp: idpNow() + 10 }), refreshToken: "rt-0", tokenType: "Bearer", scope: "", expiresAt: Math.floor((Date.now() + shift) / 1000) + 10 };
    const client = clientAt(shift);
    const before = idp.count("/token");
    let tokens = stored;
    for (let i = 0; i < 3; i += 1) tokens = (await client.createAgent(tokens)).tokens;
    expect(idp.count("/token") - before).toBeLessThanOrEqual(1);
  });
});

describe("the IdP's time decides, not the token's", () => {
  it("refuses an ID token expired in the IdP's time although the client's clock, set back, finds it valid", async () => {
    shortLivedTokens({ iat: idpNow() - 400, exp: idpNow() - 120 });
    const error = await rejection(clientAt(-FIVE_MINUTES).exchangeCode("code", "verifier", { nonce: "n-1" }));
    expect(error).toBeInstanceOf(TokenParseError);
    expect(error).toMatchObject({ error: "invalid_id_token", reason: "exp" });
  });

  it.each([
    ["nbf", { nbf: idpNow() + 200 }],
    ["iat", { iat: idpNow() + 200, exp: idpNow() + 600 }],
  ])("refuses an ID token whose %s is in the IdP's future although the client's clock, set ahead, finds it valid", async (_claim, claims) => {
    shortLivedTokens(claims);
    const error = await rejection(clientAt(FIVE_MINUTES).exchangeCode("code", "verifier", { nonce: "n-1" }));
    expect(error).toBeInstanceOf(TokenParseError);
    expect(error).toMatchObject({ error: "invalid_id_token", reason: "iat" });
  });

  it("still refuses an expired token with the skew tolerance the client sets", async () => {
    shortLivedTokens({ iat: idpNow() - 60, exp: idpNow() - 20 });
    const error = await rejection(clientAt(FIVE_MINUTES, { clockSkewSeconds: 10 }).exchangeCode("code", "verifier", { nonce: "n-1" }));
    expect(error).toMatchObject({ error: "invalid_id_token", reason: "exp" });
  });
});

describe("a Date header that cannot be the IdP's clock", () => {
  const day = 24 * 60 * 60 * 1000;
  it.each([
    ["garbage", () => "not a date"],
    ["the epoch", () => "Thu, 01 Jan 1970 00:00:00 GMT"],
    ["year 2100", () => "Fri, 01 Jan 2100 00:00:00 GMT"],
    ["two days ahead", () => new Date(Date.now() + 2 * day).toUTCString()],
    ["two days behind", () => new Date(Date.now() - 2 * day).toUTCString()],
    ["empty", () => ""],
  ])("(%s) is ignored: a client with the right time still signs in", async (_case, date) => {
    shortLivedTokens({}, { date: date() });
    const agent = await clientAt(0).exchangeCode("code", "verifier", { nonce: "n-1" });
    expect(agent.id).toBe("usr_hostile");
  });

  it("does not undo the offset learned from an earlier, sound one", async () => {
    const client = clientAt(FIVE_MINUTES);
    shortLivedTokens();
    await client.exchangeCode("code", "verifier", { nonce: "n-1" });
    shortLivedTokens({}, { date: "Thu, 01 Jan 1970 00:00:00 GMT" });
    await expect(client.exchangeCode("code", "verifier", { nonce: "n-1" })).resolves.toBeDefined();
  });
});

describe("IdpClock", () => {
  const answer = (date: string) => new Response(null, { headers: { date } });

  it("takes the offset from the middle of the round trip, the Date's truncated second included", () => {
    let device = Date.parse("2030-01-01T00:00:00Z");
    const clock = new IdpClock(() => device);
    const sentAt = device;
    device += 2_000;
    // The IdP answered at 00:05:01.x in its time, while the device went from 00:00:00 to 00:00:02.
    clock.observe(answer("Tue, 01 Jan 2030 00:05:01 GMT"), sentAt);
    expect(clock.idpNow() - device).toBe(FIVE_MINUTES + 500);
    expect(clock.local(Date.parse("2030-01-01T00:05:11Z") / 1000)).toBe(device / 1000 + 8);
  });

  it("keeps its offset for an answer without a usable Date, or one a day or more off", () => {
    const device = Date.parse("2030-01-01T00:00:00Z");
    const clock = new IdpClock(() => device);
    clock.observe(answer("Tue, 01 Jan 2030 00:05:00 GMT"), device);
    for (const date of ["", "soon", "Wed, 02 Jan 2030 00:00:00 GMT", "Sun, 30 Dec 2029 23:00:00 GMT"]) clock.observe(answer(date), device);
    clock.observe(new Response(null), device);
    expect(clock.idpNow() - device).toBe(FIVE_MINUTES + 500);
    clock.observe(answer("Tue, 01 Jan 2030 23:59:00 GMT"), device);
    expect(clock.idpNow() - device).toBe(86_340_500);
  });
});
