import type { Organization } from "@authpi/core";
import { useActiveOrg } from "@authpi/react";

/**
 * The organizations Launchpad has sample data for. A session signed in to one
 * organization only holds that one membership (the IdP narrows the token), so
 * this is what its switcher offers beside it.
 */
export const launchpadOrgs: readonly { readonly id: string; readonly title: string }[] = [
  { id: "org_acme", title: "Acme Inc." },
  { id: "org_globex", title: "Globex" },
];

export function orgName(org: Pick<Organization, "id" | "title"> | null | undefined, orgId = org?.id ?? ""): string {
  return org?.title ?? launchpadOrgs.find((known) => known.id === orgId)?.title ?? orgId;
}

export interface OrgChoice {
  readonly activeOrg: Organization | null;
  /** What the switcher offers: the memberships, plus, when restricted, Launchpad's other organizations. */
  readonly choices: readonly { readonly id: string; readonly title: string; readonly member: boolean }[];
  /** The organization this session was signed in to, when it was signed in to one only. */
  readonly restrictedTo: Organization | null;
  readonly setActiveOrg: (orgId: string | null) => Promise<void>;
}

/**
 * `useActiveOrg()` plus what the switcher offers a restricted session: the
 * kit says which org it is restricted to; Launchpad adds its other orgs.
 */
export function useOrgChoice(): OrgChoice {
  const { activeOrg, organizations, restrictedTo: restrictedId, setActiveOrg } = useActiveOrg();
  const restrictedTo = organizations.find((org) => org.id === restrictedId) ?? null;
  const members = organizations.map((org) => ({ id: org.id, title: orgName(org), member: true }));
  const others = restrictedTo ? launchpadOrgs.filter((known) => known.id !== restrictedTo.id).map((known) => ({ ...known, member: false })) : [];
  return { activeOrg, choices: [...members, ...others], restrictedTo, setActiveOrg };
}
