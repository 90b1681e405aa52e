import type { AuthenticatedAgent } from "./agent.js";
import { InsufficientScopeError, LoginRequiredError, OAuthError } from "./errors.js";
import type { AuthSnapshot } from "./session-store.js";

export type OrgRole = "owner" | "admin" | "member";

// The rules checkAccessRule() refuses at run time (for JavaScript callers) are refused by the
// compiler too: a rule that can only throw when it runs must not build.

/** Where the rule applies: `org` (alone: membership), the active organization, or (no `role`) any. */
type Where =
  | { org: string; activeOrg?: false | undefined; role?: OrgRole | undefined }
  | { activeOrg: true; org?: undefined; role?: OrgRole | undefined }
  | { org?: undefined; activeOrg?: boolean | undefined; role?: undefined };

/** The scope check, in the organization or in any: `action` and `resource` together, or neither. */
type Scope = { action: string; resource: string } | { action?: undefined; resource?: undefined };

/**
 * What a route or a component requires, in one shape for `<RequireAccess>` and
 * `requireAccess()`, implemented once, here: `org` or `activeOrg`, never both; `action` with
 * `resource`; `role` (an explicit assignment: `owner` does not imply `admin`) with `org` or `activeOrg`.
 */
export type AccessRule = Where & Scope;

export type AccessVerdict = "loading" | "error" | "signed-out" | "allowed" | "denied" | "no-active-org";

const roleChecks: Record<OrgRole, (agent: AuthenticatedAgent, org: string) => boolean> = {
  owner: (agent, org) => agent.isOwnerOf(org),
  admin: (agent, org) => agent.isAdminOf(org),
  member: (agent, org) => agent.isMemberOf(org),
};

/** A caller mistake in the rule: a `TypeError` at once, whatever the session. */
export function checkAccessRule({ org, activeOrg, action, resource, role }: AccessRule, caller: string): void {
  if ((action === undefined) !== (resource === undefined)) throw new TypeError(`${caller}: action and resource go together`);
  if (activeOrg && org !== undefined) throw new TypeError(`${caller}: org and activeOrg exclude each other`);
  if (role !== undefined && org === undefined && !activeOrg) throw new TypeError(`${caller}: role needs org or activeOrg`);
  if (role !== undefined && !Object.hasOwn(roleChecks, role)) throw new TypeError(`${caller}: unknown role "${role}"`);
}

function allows(agent: AuthenticatedAgent, org: string | undefined, { action, resource, role }: AccessRule): boolean {
  if (org !== undefined && !(role ? roleChecks[role](agent, org) : agent.isMemberOf(org))) return false;
  if (action === undefined || resource === undefined) return true;
  return org === undefined ? agent.hasAccess(action, resource) : agent.hasAccessIn(org, action, resource);
}

/** The rule's verdict on a snapshot. */
export function accessVerdict(snapshot: AuthSnapshot, rule: AccessRule): AccessVerdict {
  if (snapshot.status === "loading") return "loading";
  if (snapshot.status === "error") return "error";
  const agent = snapshot.status === "authenticated" ? snapshot.agent : null;
  if (!agent) return "signed-out";
  if (rule.activeOrg && !snapshot.activeOrg) return "no-active-org";
  return allows(agent, rule.activeOrg ? snapshot.activeOrg?.id : rule.org, rule) ? "allowed" : "denied";
}

/** The client half `requireAccess()` needs. */
export interface AccessGate {
  ready(): Promise<AuthSnapshot>;
  loginWithRedirect(options: { returnTo: string }): Promise<void>;
}

/**
 * For route loaders and guards (React Router's `loader`, TanStack Router's
 * `beforeLoad`): waits for the session to settle (starting the client if need
 * be), then resolves to the agent the rule allows. Signed out, it starts the
 * login and rejects with `LoginRequiredError`. The login returns to `returnTo`,
 * else to `request`'s URL (pass the loader's `request`: a router runs loaders
 * before the address bar changes), else to the current location. After
 * a failed login it rejects with that error, and never starts a second login
 * (which would loop through the IdP). Denied: `InsufficientScopeError`, with
 * `no_active_org` as its code when the rule needs an active org and there is none.
 */
export async function requireAccess(client: AccessGate, rule: AccessRule = {}, options: { returnTo?: string; request?: Request | URL | string } = {}): Promise<AuthenticatedAgent> {
  checkAccessRule(rule, "requireAccess()");
  const snapshot = await client.ready();
  const verdict = accessVerdict(snapshot, rule);
  if (verdict === "allowed" && snapshot.agent) return snapshot.agent;
  if (verdict === "error") throw snapshot.error ?? new OAuthError("unexpected_error", "the session failed");
  if (verdict === "signed-out") {
    const { request } = options;
    const target = request === undefined ? globalThis.location : new URL(typeof request === "string" || request instanceof URL ? request : request.url);
    const { pathname = "/", search = "", hash = "" } = target ?? {};
    await client.loginWithRedirect({ returnTo: options.returnTo ?? `${pathname}${search}${hash}` });
    throw new LoginRequiredError("signed out: the login has started");
  }
  if (verdict === "no-active-org") throw new InsufficientScopeError("no active organization", {}, "no_active_org");
  throw new InsufficientScopeError("the signed-in agent may not do this");
}
