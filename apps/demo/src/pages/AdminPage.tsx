import { RequireAccess, useActiveOrg } from "@authpi/react";
import { orgName } from "../auth/org";
import { AccessDenied } from "../components/AccessDenied";
import { AdminPanel } from "../components/AdminPanel";
import { PickOrg } from "../components/PickOrg";
import { usePageTitle } from "../hooks/usePageTitle";

/** Why this user is refused, in their own case: roles are explicit, and owners and wildcards are the surprising part. */
function whyNotAdmin(scopes: readonly string[]): string {
  if (scopes.includes("owner")) return "You are its owner, but roles are explicit: owner does not include admin.";
  const wildcard = scopes.find((scope) => scope.startsWith("*:"));
  if (wildcard) return `Your ${wildcard} grants every action, but no wildcard grants a role.`;
  return scopes.length ? `Your scopes there (${scopes.join(", ")}) do not include the admin role.` : "You are a member without any scope there.";
}

export function AdminPage() {
  usePageTitle("Admin");
  const { activeOrg } = useActiveOrg();
  const name = orgName(activeOrg);

  return (
    <div className="stack">
      <div className="page-header">
        <h1>Admin</h1>
        <p className="muted">{activeOrg ? name : "No organization picked"}</p>
      </div>
      <RequireAccess
        activeOrg
        role="admin"
        noActiveOrg={<PickOrg what="Members" />}
        fallback={
          <AccessDenied title={`Only admins of ${name} can see this page`}>
            <p>
              It needs the <code>admin</code> role scope in this organization. {whyNotAdmin(activeOrg?.scopes ?? [])}
            </p>
          </AccessDenied>
        }
      >
        {activeOrg && <AdminPanel orgId={activeOrg.id} orgTitle={name} />}
      </RequireAccess>
    </div>
  );
}
