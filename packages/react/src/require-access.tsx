import type { AuthenticatedAgent, AuthSnapshot } from "@authpi/core";
import { useEffect, type ReactNode } from "react";
import { useAuthPIStore, useAuthSelector } from "./store.js";

export type OrgRole = "owner" | "admin" | "member";

export interface RequireAccessProps {
  /** The organization the rule applies to; alone, it requires membership. */
  org?: string | undefined;
  /** The rule applies in the active organization, where `org` would name one. */
  activeOrg?: boolean | undefined;
  /** With `activeOrg`, when there is none (an org picker, say). Default: `fallback`. */
  noActiveOrg?: ReactNode;
  /** With `resource`: the scope check, in `org` or in any organization. */
  action?: string | undefined;
  resource?: string | undefined;
  /** With `org`: an explicit role assignment (`owner` does not imply `admin`). */
  role?: OrgRole | undefined;
  /** Signed in but not allowed. Default: nothing. */
  fallback?: ReactNode;
  /** While the session is being restored, or while leaving for the login page. Default: nothing. */
  loading?: ReactNode;
  /** Signed out. Default: start the login, returning to the current location. */
  unauthenticated?: ReactNode;
  /** The session failed (the IdP answered `access_denied`, `user_blocked`, …). Default: an alert with its description. */
  error?: ((error: Error) => ReactNode) | undefined;
  children?: ReactNode;
}

type Verdict = "loading" | "error" | "signed-out" | "allowed" | "denied" | "no-active-org";
type Rule = Pick<RequireAccessProps, "org" | "activeOrg" | "action" | "resource" | "role">;

const roleChecks: Record<OrgRole, (agent: AuthenticatedAgent, org: string) => boolean> = {
  owner: (agent, org) => agent.isOwnerOf(org),
  admin: (agent, org) => agent.isAdminOf(org),
  member: (agent, org) => agent.isMemberOf(org),
};

function checkRule({ org, activeOrg, action, resource, role }: Rule): void {
  if ((action === undefined) !== (resource === undefined)) throw new TypeError("<RequireAccess>: action and resource go together");
  if (activeOrg && org !== undefined) throw new TypeError("<RequireAccess>: org and activeOrg exclude each other");
  if (role !== undefined && org === undefined && !activeOrg) throw new TypeError("<RequireAccess>: role needs org or activeOrg");
  if (role !== undefined && !Object.hasOwn(roleChecks, role)) throw new TypeError(`<RequireAccess>: unknown role "${role}"`);
}

function isAllowed(agent: AuthenticatedAgent, { org, action, resource, role }: Rule): boolean {
  if (org !== undefined && !(role ? roleChecks[role](agent, org) : agent.isMemberOf(org))) return false;
  if (action === undefined || resource === undefined) return true;
  return org === undefined ? agent.hasAccess(action, resource) : agent.hasAccessIn(org, action, resource);
}

function verdictOf(snapshot: AuthSnapshot, rule: Rule): Verdict {
  switch (snapshot.status) {
    case "loading":
      return "loading";
    case "error":
      return "error";
    case "unauthenticated":
      return "signed-out";
    case "authenticated": {
      if (!rule.activeOrg) return snapshot.agent && isAllowed(snapshot.agent, rule) ? "allowed" : "denied";
      if (!snapshot.activeOrg) return "no-active-org";
      return snapshot.agent && isAllowed(snapshot.agent, { ...rule, org: snapshot.activeOrg.id }) ? "allowed" : "denied";
    }
  }
}

function ErrorAlert({ error }: { error: Error }) {
  // Text only: the description comes from the redirect URL, which anyone can craft.
  const description = "errorDescription" in error && typeof error.errorDescription === "string" ? error.errorDescription : error.message;
  return <div role="alert">{description}</div>;
}

const defaultError = (error: Error) => <ErrorAlert error={error} />;

/**
 * Renders its children only for an agent the rule allows. Signed out, it
 * starts the login once; after a failed login (status `error`) it shows the
 * error instead of starting another, which would loop through the IdP.
 */
export function RequireAccess({ fallback = null, loading = null, unauthenticated, noActiveOrg, error: renderError = defaultError, children, ...rule }: RequireAccessProps) {
  checkRule(rule);
  const store = useAuthPIStore("<RequireAccess>");
  const verdict = useAuthSelector("<RequireAccess>", (snapshot) => verdictOf(snapshot, rule));
  const sessionError = useAuthSelector("<RequireAccess>", (snapshot) => snapshot.error);
  const shouldLogin = verdict === "signed-out" && unauthenticated === undefined;

  useEffect(() => {
    if (!shouldLogin) return;
    // The client runs one login at a time (StrictMode's second effect and nested guards join it);
    // a failed start becomes the snapshot's `error`, rendered below, and never starts another.
    const { pathname, search, hash } = window.location;
    store.loginWithRedirect({ returnTo: `${pathname}${search}${hash}` }).catch(() => undefined);
  }, [shouldLogin, store]);

  switch (verdict) {
    case "allowed":
      return <>{children}</>;
    case "denied":
      return <>{fallback}</>;
    case "no-active-org":
      return <>{noActiveOrg === undefined ? fallback : noActiveOrg}</>;
    case "loading":
      return <>{loading}</>;
    case "error":
      return <>{renderError(sessionError ?? new Error("authentication failed"))}</>;
    case "signed-out":
      return <>{unauthenticated !== undefined ? unauthenticated : loading}</>;
  }
}
