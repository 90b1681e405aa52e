import { AuthPIClient, type AuthenticatedAgent, type AuthSnapshot, type LoginOptions, type LogoutOptions, type LogoutResult, type Organization } from "@authpi/core";
import { useMemo } from "react";
import type { ActionNotOrg } from "./access-rule.js";
import { useAuthPIStore, useAuthSelector, type AuthPIStore } from "./store.js";

export interface AuthPIState extends AuthSnapshot {
  readonly isLoading: boolean;
  readonly isAuthenticated: boolean;
  /**
   * `client.loginWithRedirect()`; clears an `error` status. A failure to start (IdP unreachable,
   * issuer typo) becomes the snapshot's `error` and does not also reject; a caller mistake (a
   * `TypeError`) rejects. Stable across renders.
   */
  readonly login: (options?: LoginOptions) => Promise<void>;
  /**
   * `client.logout()`: signs out every tab, then leaves for the IdP. A failed revocation is in its
   * result, never a rejection; it rejects only on a caller mistake (a `TypeError`, e.g. a relative
   * `returnTo`). Stable across renders.
   */
  readonly logout: (options?: LogoutOptions) => Promise<LogoutResult>;
  /** A valid access token, refreshed first when due. Stable across renders. */
  readonly getAccessToken: () => Promise<string>;
  /** The provider's client (`<MockAuthPIProvider>`: its mock store). */
  readonly client: AuthPIStore;
}

const whole = (snapshot: AuthSnapshot) => snapshot;

/**
 * One rule for the React API: an error that lands in the snapshot is rendered from there and does
 * not also reject, so `onClick={() => login()}` leaves no unhandled rejection. Anything else (a
 * caller mistake) still rejects.
 */
function unlessInSnapshot(client: AuthPIStore): (error: unknown) => void {
  return (error) => {
    if (error === null || client.getSnapshot().error !== error) throw error;
  };
}

/** The whole session. Re-renders on every change, token refreshes included: prefer `useAccess` or `useAgent` where they suffice. */
export function useAuthPI(): AuthPIState {
  const client = useAuthPIStore("useAuthPI()");
  const snapshot = useAuthSelector("useAuthPI()", whole);
  const actions = useMemo(
    () => ({
      login: (options?: LoginOptions) => client.loginWithRedirect(options).catch(unlessInSnapshot(client)),
      logout: (options?: LogoutOptions) => client.logout(options),
      getAccessToken: () => client.getAccessToken(),
      client,
    }),
    [client],
  );
  return useMemo(
    () => ({
      ...actions,
      status: snapshot.status,
      agent: snapshot.agent,
      error: snapshot.error,
      activeOrg: snapshot.activeOrg,
      stale: snapshot.stale,
      restrictedTo: snapshot.restrictedTo,
      isLoading: snapshot.status === "loading",
      isAuthenticated: snapshot.status === "authenticated",
    }),
    [actions, snapshot],
  );
}

const agentOf = (snapshot: AuthSnapshot) => snapshot.agent;

/** The signed-in agent, or `null`. A refresh yields a new agent, so this re-renders on refresh. */
export function useAgent(): AuthenticatedAgent | null {
  return useAuthSelector("useAgent()", agentOf);
}

/**
 * Whether the signed-in agent may do `action` on `resource` — in any of its
 * organizations, or in `orgId`. Re-renders only when the answer changes, not
 * on each token refresh. False unless `authenticated`: a session stuck on an
 * expired token (status `error`) grants nothing.
 */
export function useAccess<A extends string>(action: ActionNotOrg<A>, resource: string): boolean;
export function useAccess(orgId: string, action: string, resource: string): boolean;
export function useAccess(...args: [string, string] | [string, string, string]): boolean {
  return useAuthSelector("useAccess()", (snapshot) => {
    const agent = snapshot.status === "authenticated" ? snapshot.agent : null;
    if (!agent) return false;
    return args.length === 2 ? agent.hasAccess(...args) : agent.hasAccessIn(...args);
  });
}

export interface ActiveOrgState {
  /** The organization this tab acts in, or `null`. */
  readonly activeOrg: Organization | null;
  /** Every membership of the signed-in agent (`[]` signed out). */
  readonly organizations: readonly Organization[];
  /** The org a restricted session was signed in to alone (its token holds only that membership): switching signs in again. */
  readonly restrictedTo: string | null;
  /** `client.setActiveOrg()`: at once for a member; a restricted session signs in again with the new `org`. */
  readonly setActiveOrg: (orgId: string | null) => Promise<void>;
}

const noOrganizations: readonly Organization[] = Object.freeze([]);
const organizationsOf = (snapshot: AuthSnapshot) => snapshot.agent?.organizations ?? noOrganizations;
const activeOrgOf = (snapshot: AuthSnapshot) => snapshot.activeOrg;
const restrictedToOf = (snapshot: AuthSnapshot) => snapshot.restrictedTo;
const sameOrganizations = (a: readonly Organization[], b: readonly Organization[]) =>
  a.length === b.length &&
  a.every((org, i) => {
    const other = b[i];
    return other !== undefined && org.id === other.id && org.title === other.title && org.scopes.length === other.scopes.length && org.scopes.every((scope, j) => scope === other.scopes[j]);
  });

/** The active organization and the means to switch it. Re-renders when either changes, not on a token refresh. */
export function useActiveOrg(): ActiveOrgState {
  const store = useAuthPIStore("useActiveOrg()");
  const activeOrg = useAuthSelector("useActiveOrg()", activeOrgOf);
  const organizations = useAuthSelector("useActiveOrg()", organizationsOf, sameOrganizations);
  const restrictedTo = useAuthSelector("useActiveOrg()", restrictedToOf);
  return useMemo(
    () => ({ activeOrg, organizations, restrictedTo, setActiveOrg: (orgId: string | null) => store.setActiveOrg(orgId) }),
    [activeOrg, organizations, restrictedTo, store],
  );
}

/** Whether the agent may do `action` on `resource` in the active organization; false without one. Re-renders only when the answer changes. */
export function useActiveAccess<A extends string>(action: ActionNotOrg<A>, resource: string): boolean {
  return useAuthSelector("useActiveAccess()", (snapshot) => {
    const agent = snapshot.status === "authenticated" ? snapshot.agent : null;
    return agent !== null && snapshot.activeOrg !== null && agent.hasAccessIn(snapshot.activeOrg.id, action, resource);
  });
}

/**
 * The provider's real `AuthPIClient`, for what the hooks do not cover:
 * `fetch`, `getUserInfo`, `refresh`, `ready`, `requireAccess(client, …)`.
 * Under `<MockAuthPIProvider>` there is no client: it throws.
 */
export function useAuthPIClient(): AuthPIClient {
  const store = useAuthPIStore("useAuthPIClient()");
  if (!(store instanceof AuthPIClient)) throw new Error("useAuthPIClient() needs <AuthPIProvider> with a real client; <MockAuthPIProvider> has none");
  return store;
}
