/** An AuthPI organization id: `org_…`. */
type OrgId = `org_${string}`;

/**
 * An `action` argument that is not an organization id: `useAccess("org_acme", "write")` forgot the
 * resource, and would be read as action `org_acme` on resource `write`.
 */
export type ActionNotOrg<A extends string> = A extends OrgId ? "an action, not an org id: useAccess(orgId, action, resource) takes the resource too" : A;
