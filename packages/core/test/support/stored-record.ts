// A session record as a login would have stored it: rt-0 of usr_1, 300 s tokens received
// `receivedAt` (default: 280 s ago, so due for a refresh), in the current logout epoch.
export function storedRecord(issuer: string, receivedAt = Math.floor(Date.now() / 1000) - 280): string {
  return JSON.stringify({
    v: 1,
    issuer,
    clientId: "cli_test",
    tokens: { accessToken: "at-0", idToken: "id-0", refreshToken: "rt-0", tokenType: "Bearer", scope: "openid", expiresAt: receivedAt + 300 },
    claims: { iss: issuer, sub: "usr_1", aud: "cli_test", exp: receivedAt + 300, iat: receivedAt },
    receivedAt,
    epoch: globalThis.localStorage?.getItem("authpi:cli_test:logout-epoch") ?? undefined,
  });
}
