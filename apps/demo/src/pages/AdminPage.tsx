import { RequireAccess } from "@authpi/react";
import { orgName, useSelectedOrg } from "../auth/org";
import { AccessDenied } from "../components/AccessDenied";
import { AdminPanel } from "../components/AdminPanel";
import { usePageTitle } from "../hooks/usePageTitle";

export function AdminPage() {
  usePageTitle("Admin");
  const { orgId, membership } = useSelectedOrg();
  const name = orgId === undefined ? undefined : orgName(membership, orgId);

  return (
    <div className="stack">
      <div className="page-header">
        <h1>Admin</h1>
        <p className="muted">{name ?? "No organization"}</p>
      </div>
      {orgId === undefined ? (
        <AccessDenied title="No organization to administer">
          <p>You are not a member of any organization.</p>
        </AccessDenied>
      ) : (
        <RequireAccess
          role="admin"
          org={orgId}
          fallback={
            <AccessDenied title={`Only admins of ${name} can see this page`}>
              <p>
                It needs the <code>admin</code> role scope in this organization. Roles are explicit: being the <code>owner</code>, or
                holding a wildcard such as <code>*:**</code>, does not make you an admin.
              </p>
            </AccessDenied>
          }
        >
          <AdminPanel orgId={orgId} orgTitle={name ?? orgId} />
        </RequireAccess>
      )}
    </div>
  );
}
