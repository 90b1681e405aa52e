import { AuthenticatedAgent } from "@authpi/core";

export interface TestAgentOptions {
  /** Subject; its prefix sets the principal type. Default `usr_test`. */
  id?: string | undefined;
  email?: string | undefined;
  organizations?: ReadonlyArray<{ id: string; scopes: readonly string[]; title?: string | null | undefined }> | undefined;
  /** Token-level scopes (machine agents), space-separated. Default `openid profile email`. */
  scope?: string | undefined;
  /** The organization `<MockAuthPIProvider>` makes active for this agent (unless its own `activeOrg` prop says otherwise). */
  activeOrg?: string | null | undefined;
}

const activeOrgs = new WeakMap<AuthenticatedAgent, string | null>();

/** The `activeOrg` a test agent was created with; `undefined` when none was given. */
export function testActiveOrg(agent: AuthenticatedAgent | null): string | null | undefined {
  return agent ? activeOrgs.get(agent) : undefined;
}

/** 2100-01-01: the test agent never expires, whatever the test's clock says. */
const FAR_FUTURE = 4_102_444_800;

/**
 * A real `AuthenticatedAgent` for tests, with dummy tokens: every
 * `hasAccess`, `isOwnerOf`… answers exactly as for a signed-in user.
 */
export function createTestAgent({ id = "usr_test", email = "test@example.com", organizations = [], scope = "openid profile email", activeOrg }: TestAgentOptions = {}): AuthenticatedAgent {
  const tokens = {
    accessToken: "test-access-token",
    idToken: "test-id-token",
    tokenType: "Bearer",
    scope,
    expiresAt: FAR_FUTURE,
  };
  const claims = {
    iss: "https://idp.authpi.test/i_test",
    sub: id,
    aud: "cli_test",
    iat: 0,
    exp: FAR_FUTURE,
    email,
    email_verified: true,
    organizations: organizations.map((org) => ({ id: org.id, title: org.title ?? null, scopes: org.scopes, joined_at: 0 })),
  };
  const agent = new AuthenticatedAgent(tokens, claims);
  if (activeOrg !== undefined) activeOrgs.set(agent, activeOrg);
  return agent;
}
