import { RequireAccess, useActiveOrg } from "@authpi/react";
import { orgName } from "../auth/org";
import { AccessDenied } from "../components/AccessDenied";
import { AdminPanel } from "../components/AdminPanel";
import { PickOrg } from "../components/PickOrg";
import { usePageTitle } from "../hooks/usePageTitle";

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
              It needs the <code>admin</code> role scope in this organization. Roles are explicit: being the <code>owner</code>, or
              holding a wildcard such as <code>*:**</code>, does not make you an admin.
            </p>
          </AccessDenied>
        }
      >
        {activeOrg && <AdminPanel orgId={activeOrg.id} orgTitle={name} />}
      </RequireAccess>
    </div>
  );
}
