import { useId } from "react";
import { orgName, useSelectedOrg } from "../auth/org";

export function OrgSwitcher() {
  const { orgId, membership, organizations, selectOrg } = useSelectedOrg();
  const id = useId();
  return (
    <div className="org-switcher">
      <label htmlFor={id} className="visually-hidden">
        Organization
      </label>
      <select
        id={id}
        data-testid="org-switcher"
        value={orgId ?? ""}
        disabled={organizations.length === 0}
        onChange={(event) => selectOrg(event.target.value)}
      >
        {organizations.length === 0 && <option value="">No organization</option>}
        {organizations.map((org) => (
          <option key={org.id} value={org.id}>
            {orgName(org, org.id)}
          </option>
        ))}
        {/* A link may name an organization the user is not in: say so rather than show another one. */}
        {orgId !== undefined && !membership && <option value={orgId}>{orgId} (not a member)</option>}
      </select>
    </div>
  );
}
