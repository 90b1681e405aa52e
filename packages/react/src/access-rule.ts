import { requireAccess as coreRequireAccess, type OrgRole } from "@authpi/core";

// The rules core's checkAccessRule() refuses at run time (for JavaScript callers), refused here by
// the compiler: a rule that can only throw when rendered must not build.

/** Where the rule applies: an organization, the active one, or (no `role`) any. */
type Where =
  | { org: string; activeOrg?: false | undefined; role?: OrgRole | undefined }
  | { activeOrg: true; org?: undefined; role?: OrgRole | undefined }
  | { org?: undefined; activeOrg?: boolean | undefined; role?: undefined };

/** The scope check: `action` and `resource` together, or neither. */
type Scope = { action: string; resource: string } | { action?: undefined; resource?: undefined };

/**
 * What a route or a component requires, in one shape for `<RequireAccess>` and
 * `requireAccess()`: `org` (alone: membership) or `activeOrg`, never both;
 * `action` with `resource`; `role` with `org` or `activeOrg`.
 */
export type AccessRule = Where & Scope;

/**
 * Core's `requireAccess()` (the same function: waits for the session, starts the login when signed
 * out, rejects `InsufficientScopeError` when denied), typed with the rule above.
 */
export const requireAccess: (
  client: Parameters<typeof coreRequireAccess>[0],
  rule?: AccessRule,
  options?: Parameters<typeof coreRequireAccess>[2],
) => ReturnType<typeof coreRequireAccess> = coreRequireAccess;

/** An AuthPI organization id: `org_…`. */
type OrgId = `org_${string}`;

/**
 * An `action` argument that is not an organization id: `useAccess("org_acme", "write")` forgot the
 * resource, and would be read as action `org_acme` on resource `write`.
 */
export type ActionNotOrg<A extends string> = A extends OrgId ? "an action, not an org id: useAccess(orgId, action, resource) takes the resource too" : A;
