import type { LoginOptions, Organization } from "@authpi/core";
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

// The kit knows whether the session was signed in with `org` (it signs in again on a
// switch) but does not say so, so the app notes which sign-ins it started with one.
// Per tab, like the session: a duplicated tab copies both.
const RESTRICTED_KEY = "launchpad:signed-in-to-org";

function noteSignIn(org: string | undefined): void {
  try {
    if (org === undefined) sessionStorage.removeItem(RESTRICTED_KEY);
    else sessionStorage.setItem(RESTRICTED_KEY, org);
  } catch {
    // Storage unavailable: the switcher just won't say that switching signs in again.
  }
}

/** Every sign-in the app starts goes through here, so the note above stays true. */
export function startSignIn(login: (options?: LoginOptions) => Promise<void>, options?: LoginOptions): Promise<void> {
  noteSignIn(options?.org);
  return login(options);
}

/** Sign-out: the next sign-in is unrestricted unless it says otherwise. */
export function forgetSignIn(): void {
  noteSignIn(undefined);
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
 * `useActiveOrg()` plus what the switcher needs to know about a restricted
 * session. The note is trusted only while the token agrees: exactly one
 * membership, the noted one.
 */
export function useOrgChoice(): OrgChoice {
  const { activeOrg, organizations, setActiveOrg } = useActiveOrg();
  let noted: string | null = null;
  try {
    noted = sessionStorage.getItem(RESTRICTED_KEY);
  } catch {
    noted = null;
  }
  const only = organizations.length === 1 ? organizations[0] : undefined;
  const restrictedTo = only !== undefined && only.id === noted ? only : null;
  const members = organizations.map((org) => ({ id: org.id, title: orgName(org), member: true }));
  const others = restrictedTo ? launchpadOrgs.filter((known) => known.id !== restrictedTo.id).map((known) => ({ ...known, member: false })) : [];
  const switchTo = (orgId: string | null) => {
    // A restricted session signs in again with the new organization: note it first.
    if (restrictedTo && orgId !== null && orgId !== restrictedTo.id) noteSignIn(orgId);
    return setActiveOrg(orgId);
  };
  return { activeOrg, choices: [...members, ...others], restrictedTo, setActiveOrg: switchTo };
}
