import {
  LoginRequiredError,
  NotAMemberError,
  type AuthenticatedAgent,
  type AuthSnapshot,
  type AuthStatus,
  type LoginOptions,
  type LogoutOptions,
  type LogoutResult,
  type OAuthError,
} from "@authpi/core";
import { useLayoutEffect, useMemo, useState, type ReactNode } from "react";
import { AuthPIContext, type AuthPIStore } from "./store.js";
import { testActiveOrg } from "./test-agent.js";

interface MockActions {
  /** Called by `login()` and by `<RequireAccess>` when signed out. */
  login?: ((options?: LoginOptions) => void | Promise<void>) | undefined;
  logout?: ((options?: LogoutOptions) => void | Promise<void>) | undefined;
  /** Default: the agent's (dummy) access token. */
  getAccessToken?: (() => string | Promise<string>) | undefined;
}

export interface MockAuthPIProviderProps extends MockActions {
  agent?: AuthenticatedAgent | null | undefined;
  /** Default: `error` when `error` is given, else `authenticated` with an agent, else `unauthenticated`. */
  status?: AuthStatus | undefined;
  error?: OAuthError | null | undefined;
  /** The active organization's id. Default: the test agent's `activeOrg`, else its only organization, else none. */
  activeOrg?: string | null | undefined;
  children?: ReactNode;
}

/** The store the hooks read, driven by props instead of an IdP. */
class MockAuthPIStore implements AuthPIStore {
  #snapshot: AuthSnapshot;
  #actions: MockActions;
  readonly #listeners = new Set<() => void>();

  constructor(snapshot: AuthSnapshot, actions: MockActions) {
    this.#snapshot = snapshot;
    this.#actions = actions;
  }

  update(snapshot: AuthSnapshot, actions: MockActions): void {
    this.#actions = actions;
    if (snapshot === this.#snapshot) return;
    this.#snapshot = snapshot;
    for (const listener of this.#listeners) listener();
  }

  getSnapshot = (): AuthSnapshot => this.#snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  #login: Promise<void> | null = null;

  /** One login at a time, as the real client: a call while one is under way joins it. */
  loginWithRedirect = (options?: LoginOptions): Promise<void> => {
    this.#login ??= Promise.resolve(this.#actions.login?.(options)).finally(() => {
      this.#login = null;
    });
    return this.#login;
  };

  logout = async (options?: LogoutOptions): Promise<LogoutResult> => {
    await this.#actions.logout?.(options);
    return { revoked: false, revocationError: null };
  };

  /** Switches in memory, as an unrestricted session does; a non-member is `NotAMemberError`. */
  setActiveOrg = async (orgId: string | null): Promise<void> => {
    const agent = this.#snapshot.agent;
    if (!agent) throw new LoginRequiredError("not signed in");
    if (orgId !== null && !agent.isMemberOf(orgId)) throw new NotAMemberError(orgId);
    this.#snapshot = { ...this.#snapshot, activeOrg: agent.organizations.find((org) => org.id === orgId) ?? null };
    for (const listener of this.#listeners) listener();
  };

  getAccessToken = async (): Promise<string> => {
    if (this.#actions.getAccessToken) return this.#actions.getAccessToken();
    const agent = this.#snapshot.agent;
    if (!agent) throw new LoginRequiredError("not signed in");
    return agent.tokens.accessToken;
  };
}

/**
 * Provides a session without an IdP, for testing your own components: the
 * real hooks and `<RequireAccess>` read it. Change the props to change the
 * session; pass spies as `login` / `logout` to assert on them.
 */
export function MockAuthPIProvider({ agent = null, status, error = null, activeOrg, children, ...actions }: MockAuthPIProviderProps) {
  const snapshot = useMemo((): AuthSnapshot => {
    const chosen = activeOrg !== undefined ? activeOrg : testActiveOrg(agent);
    const organizations = agent?.organizations ?? [];
    const active = chosen === undefined ? (organizations.length === 1 ? (organizations[0] ?? null) : null) : (organizations.find((org) => org.id === chosen) ?? null);
    return { status: status ?? (error ? "error" : agent ? "authenticated" : "unauthenticated"), agent, error, activeOrg: active, restrictedTo: null, stale: false };
  }, [agent, status, error, activeOrg]);
  const [store] = useState(() => new MockAuthPIStore(snapshot, actions));
  // After render, like a real client's events: consumers re-render from the new snapshot.
  useLayoutEffect(() => store.update(snapshot, actions));
  return <AuthPIContext.Provider value={store}>{children}</AuthPIContext.Provider>;
}
