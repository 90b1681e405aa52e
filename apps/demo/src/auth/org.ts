import type { Organization } from "@authpi/core";
import { useAgent } from "@authpi/react";
import { useCallback } from "react";
import { useSearchParams } from "react-router";

export interface SelectedOrg {
  /** The `?org=` of the URL, else the agent's first organization; undefined with none. */
  readonly orgId: string | undefined;
  /** The membership for `orgId`, or undefined when the agent is not a member of it. */
  readonly membership: Organization | undefined;
  readonly organizations: readonly Organization[];
  readonly selectOrg: (orgId: string) => void;
}

/**
 * The organization the pages act on. It lives in the URL (`?org=org_acme`)
 * rather than in localStorage: a link or a bookmark opens the same view, two
 * tabs can look at two organizations, and `<RequireAccess>` carries it through
 * a login because its `returnTo` keeps the query.
 */
export function useSelectedOrg(): SelectedOrg {
  const agent = useAgent();
  const [params, setParams] = useSearchParams();
  const organizations = agent?.organizations ?? [];
  const orgId = params.get("org") ?? organizations[0]?.id;
  const selectOrg = useCallback(
    (id: string) =>
      setParams((current) => {
        const next = new URLSearchParams(current);
        next.set("org", id);
        return next;
      }),
    [setParams],
  );
  return { orgId, membership: organizations.find((org) => org.id === orgId), organizations, selectOrg };
}

/** `?org=…` when the URL names one, so navigation keeps the selected organization. */
export function useOrgSearch(): string {
  const [params] = useSearchParams();
  const org = params.get("org");
  return org ? `?${new URLSearchParams({ org }).toString()}` : "";
}

export function orgName(org: Organization | undefined, orgId: string): string {
  return org?.title ?? orgId;
}
