import type { AuthenticatedAgent } from "./agent.js";
import { NotAMemberError, signedOut } from "./errors.js";
import type { LoginOptions } from "./redirect-login.js";
import type { SessionStore } from "./session-store.js";
import type { SafeStorage } from "./storage.js";
import type { Organization } from "./types.js";

/**
 * The organization most screens act in. The rules, in order:
 * 1. a session restricted to one organization (signed in with `org`): that one;
 * 2. the tab's remembered choice, while the agent is still a member (`null` chosen: none);
 * 3. the only organization, when the agent has exactly one;
 * 4. none.
 * Re-judged on every session change, so a refresh that removes the membership clears it.
 */
export function resolveActiveOrg(agent: AuthenticatedAgent | null, restrictedTo: string | undefined, chosen: string | null | undefined): Organization | null {
  if (!agent) return null;
  const find = (id: string) => agent.organizations.find((org) => org.id === id) ?? null;
  if (restrictedTo !== undefined) return find(restrictedTo);
  if (chosen !== undefined) return chosen === null ? null : find(chosen);
  return agent.organizations.length === 1 ? (agent.organizations[0] ?? null) : null;
}

/** Same membership, same scopes: consumers need not re-render (a token refresh yields new objects). */
export function sameOrganization(a: Organization | null, b: Organization | null): boolean {
  if (a === b) return true;
  if (!a || !b || a.id !== b.id || a.title !== b.title || a.joinedAt !== b.joinedAt || a.scopes.length !== b.scopes.length) return false;
  return a.scopes.every((scope, i) => scope === b.scopes[i]);
}

/**
 * The tab's choice, kept in the session's storage next to the session record
 * and, like it, validated on read: it belongs to one subject, and anything
 * unreadable is no choice at all (never a crash).
 */
export class ActiveOrgChoice {
  constructor(
    private readonly storage: SafeStorage,
    private readonly key: string,
  ) {}

  /** The choice `sub` made in this tab: an org id, `null` for none, `undefined` for no choice. */
  read(sub: string): string | null | undefined {
    const value = this.storage.getJson(this.key);
    if (typeof value !== "object" || value === null) return undefined;
    const { sub: owner, orgId } = value as Record<string, unknown>;
    if (owner !== sub || !(orgId === null || (typeof orgId === "string" && orgId !== ""))) {
      this.storage.remove(this.key);
      return undefined;
    }
    return orgId;
  }

  write(sub: string, orgId: string | null): void {
    this.storage.set(this.key, JSON.stringify({ sub, orgId }));
  }

  clear(): void {
    this.storage.remove(this.key);
  }
}

/**
 * `setActiveOrg()`: a member org is active at once and remembered for the
 * tab; `null` clears the choice; a non-member is `NotAMemberError` and changes
 * nothing. A session restricted to one org (signed in with `org`) holds no
 * other membership to switch to: it signs in again with the new `org`, which
 * the IdP's session makes silent, and comes back where it was.
 */
export async function chooseActiveOrg(store: SessionStore, login: (options: LoginOptions) => Promise<void>, orgId: string | null): Promise<void> {
  if (orgId !== null && (typeof orgId !== "string" || orgId === "")) throw new TypeError("setActiveOrg(orgId) takes an organization id or null");
  const session = store.session;
  if (!session) throw signedOut();
  const restrictedTo = session.record.org;
  if (restrictedTo !== undefined && orgId !== null && orgId !== restrictedTo) {
    const { pathname = "/", search = "", hash = "" } = globalThis.location ?? {};
    return login({ org: orgId, returnTo: `${pathname}${search}${hash}` });
  }
  if (orgId !== null && !session.agent.isMemberOf(orgId)) throw new NotAMemberError(orgId);
  store.orgChosen(orgId);
}
