import { describe, expect, it } from "vitest";
import { AuthenticatedAgent, PrincipalType, TokenParseError, type IdTokenClaims, type TokenSet } from "../src/index.js";

const NOW_MS = 1_800_000_000_000;
const NOW = NOW_MS / 1000;

function makeAgent(
  claims: Partial<IdTokenClaims> & { organizations?: unknown } = {},
  tokens: Partial<TokenSet> = {},
  now: () => number = () => NOW_MS,
) {
  return new AuthenticatedAgent(
    { accessToken: "at", idToken: "id", refreshToken: "rt", tokenType: "Bearer", scope: "openid", expiresAt: NOW + 300, ...tokens },
    { iss: "https://idp.example/i_x", aud: "cli_x", exp: NOW + 300, iat: NOW, sub: "usr_1", ...claims },
    now,
  );
}

const org = (id: string, scopes: string[], title: string | null = null) => ({ id, title, scopes, joined_at: 1_700_000_000 });

describe("AuthenticatedAgent identity", () => {
  it.each([
    ["usr_abc", PrincipalType.USER],
    ["ptk_abc", PrincipalType.PERSONAL_TOKEN],
    ["tok_abc", PrincipalType.PERSONAL_TOKEN],
    ["key_abc", PrincipalType.API_KEY],
    ["agt_abc", PrincipalType.AGENT],
  ])("reads the principal type of %s as %s", (sub, type) => {
    expect(makeAgent({ sub }).type).toBe(type);
  });

  it.each(["abc", "user_1", "USR_1", "usr_", "org_1", "svc_1"])("refuses the unknown subject prefix %j with TokenParseError", (sub) => {
    const error = catchError(() => makeAgent({ sub }));
    expect(error).toBeInstanceOf(TokenParseError);
    expect(error).toMatchObject({ error: "invalid_id_token", reason: "sub" });
  });

  it("refuses claims with no subject", () => {
    expect(catchError(() => makeAgent({ sub: "" }))).toMatchObject({ error: "invalid_id_token", reason: "sub" });
  });

  it("exposes email, emailVerified and the claims", () => {
    const agent = makeAgent({ email: "a@example.com", email_verified: true, locale: "fr" });
    expect(agent).toMatchObject({ id: "usr_1", email: "a@example.com", emailVerified: true });
    expect(agent.claims.locale).toBe("fr");
    expect(makeAgent()).toMatchObject({ email: null, emailVerified: null });
  });

  it("maps organizations to camelCase and freezes them", () => {
    const agent = makeAgent({ organizations: [org("org_a", ["users:read"], "Acme")] });
    expect(agent.organizations).toEqual([{ id: "org_a", title: "Acme", scopes: ["users:read"], joinedAt: 1_700_000_000 }]);
    expect(Object.isFrozen(agent.organizations[0]?.scopes)).toBe(true);
    expect(Object.isFrozen(agent.tokens)).toBe(true);
  });

  it.each([
    ["not an array", { id: "org_a" }],
    ["an entry without scopes", [{ id: "org_a", title: null, joined_at: 1 }]],
    ["scopes that are not strings", [{ id: "org_a", title: null, scopes: [1], joined_at: 1 }]],
    ["an empty id", [{ id: "", title: null, scopes: [], joined_at: 1 }]],
  ])("refuses an organizations claim that is %s", (_case, organizations) => {
    const error = catchError(() => makeAgent({ organizations }));
    expect(error).toBeInstanceOf(TokenParseError);
    expect(error).toMatchObject({ error: "invalid_id_token", reason: "claims" });
  });

  it("has no organizations when the claim is absent", () => {
    expect(makeAgent().organizations).toEqual([]);
  });
});

describe("AuthenticatedAgent authorization", () => {
  const agent = makeAgent({
    organizations: [
      org("org_owner", ["owner", "projects:**", "users:read"]),
      org("org_admin", ["admin", "billing:read"]),
      org("org_super", ["*:**"]),
      org("org_empty", []),
    ],
  });

  it("hasAccessIn() checks only that organization's scopes", () => {
    expect(agent.hasAccessIn("org_owner", "delete", "projects.tasks")).toBe(true);
    expect(agent.hasAccessIn("org_owner", "read", "users")).toBe(true);
    expect(agent.hasAccessIn("org_owner", "write", "users")).toBe(false);
    expect(agent.hasAccessIn("org_admin", "write", "projects")).toBe(false);
    expect(agent.hasAccessIn("org_admin", "read", "billing")).toBe(true);
    expect(agent.hasAccessIn("org_unknown", "read", "users")).toBe(false);
  });

  it("hasAccess() is true when any organization grants it", () => {
    expect(agent.hasAccess("read", "billing")).toBe(true); // org_admin
    expect(agent.hasAccess("delete", "projects.tasks")).toBe(true); // org_owner
    expect(agent.hasAccess("write", "anything.at.all")).toBe(true); // org_super
    const narrow = makeAgent({ organizations: [org("org_a", ["users:read"]), org("org_b", ["billing:read"])] });
    expect(narrow.hasAccess("read", "billing")).toBe(true);
    expect(narrow.hasAccess("write", "billing")).toBe(false);
  });

  it("hasAccess() is true through the token-level scope of a machine agent", () => {
    const machine = makeAgent({ sub: "agt_m" }, { scope: "users:read users:write" });
    expect(machine.hasAccess("write", "users")).toBe(true);
    expect(machine.hasAccess("delete", "users")).toBe(false);
    expect(machine.hasAccessIn("org_a", "write", "users")).toBe(false);
  });

  it("owner does not imply admin, and admin does not imply owner", () => {
    expect(agent.isOwnerOf("org_owner")).toBe(true);
    expect(agent.isAdminOf("org_owner")).toBe(false);
    expect(agent.isAdminOf("org_admin")).toBe(true);
    expect(agent.isOwnerOf("org_admin")).toBe(false);
  });

  it("never grants a role through a wildcard", () => {
    expect(agent.isOwnerOf("org_super")).toBe(false);
    expect(agent.isAdminOf("org_super")).toBe(false);
    const wildcardRoles = makeAgent({ organizations: [org("org_w", ["*:*", "owner:*", "admin:**", "*:owner"])] });
    expect(wildcardRoles.isOwnerOf("org_w")).toBe(false);
    expect(wildcardRoles.isAdminOf("org_w")).toBe(false);
  });

  it("isMemberOf() is true for a membership with no scopes", () => {
    expect(agent.isMemberOf("org_empty")).toBe(true);
    expect(agent.getScopesFor("org_empty")).toEqual([]);
    expect(agent.isMemberOf("org_unknown")).toBe(false);
  });

  it("role scopes grant no resource access", () => {
    expect(agent.hasAccessIn("org_admin", "read", "users")).toBe(false);
  });

  it("getScopesFor() returns the scopes, or [] when not a member", () => {
    expect(agent.getScopesFor("org_owner")).toEqual(["owner", "projects:**", "users:read"]);
    expect(agent.getScopesFor("org_unknown")).toEqual([]);
  });
});

describe("AuthenticatedAgent expiry with an injected clock", () => {
  it("expiresAt is the token set's, expiresIn counts down and goes negative", () => {
    let now = NOW_MS;
    const agent = makeAgent({}, { expiresAt: NOW + 100 }, () => now);
    expect(agent.expiresAt).toBe(NOW + 100);
    expect(agent.expiresIn).toBe(100);
    now += 130_000;
    expect(agent.expiresIn).toBe(-30);
  });

  it("isExpired() uses a 30 second buffer by default", () => {
    let now = NOW_MS;
    const agent = makeAgent({}, { expiresAt: NOW + 31 }, () => now);
    expect(agent.isExpired()).toBe(false);
    now += 1_000; // 30 s left
    expect(agent.isExpired()).toBe(true);
    expect(agent.isExpired(0)).toBe(false);
    expect(agent.isExpired(60)).toBe(true);
  });

  it("isExpired(0) is true only once the token has actually expired", () => {
    let now = NOW_MS;
    const agent = makeAgent({}, { expiresAt: NOW + 1 }, () => now);
    now += 999;
    expect(agent.isExpired(0)).toBe(false);
    now += 1;
    expect(agent.isExpired(0)).toBe(true);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}
