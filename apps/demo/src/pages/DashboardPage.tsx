import { useAccess, useAgent } from "@authpi/react";
import { Link } from "react-router";
import { orgName, useOrgSearch, useSelectedOrg } from "../auth/org";
import { displayName } from "../auth/profile";
import { Permission } from "../components/Permission";
import { SessionPanel } from "../components/SessionPanel";
import { usePageTitle } from "../hooks/usePageTitle";

export function DashboardPage() {
  usePageTitle("Dashboard");
  const agent = useAgent();
  const { orgId, membership } = useSelectedOrg();
  const search = useOrgSearch();
  // useAccess needs an organization id; "" belongs to nobody, so everything reads as not allowed.
  const org = orgId ?? "";
  const canRead = useAccess(org, "read", "projects");
  const canWrite = useAccess(org, "write", "projects");
  const canDelete = useAccess(org, "delete", "projects");
  if (!agent) return null;
  const firstName = displayName(agent).split(" ")[0];

  return (
    <div className="stack-lg">
      <div className="page-header">
        <h1>Welcome, {firstName}</h1>
        <p className="muted">
          {orgId === undefined ? "You are not a member of any organization yet." : `Organization: ${orgName(membership, orgId)}`}
        </p>
      </div>
      <div className="dashboard-grid">
        <SessionPanel agent={agent} />
        <section className="card" aria-labelledby="access-title">
          <h2 id="access-title">What you can do here</h2>
          {orgId === undefined ? (
            <p className="muted">Without an organization there are no projects to see. Ask an owner to invite you.</p>
          ) : (
            <>
              <ul className="permissions">
                <Permission allowed={canRead} label="See projects" scope="projects:read" />
                <Permission allowed={canWrite} label="Create and edit projects" scope="projects:write" />
                <Permission allowed={canDelete} label="Delete projects" scope="projects:delete" />
                <Permission allowed={agent.isAdminOf(orgId)} label="Administer the organization" scope="admin" />
              </ul>
              <p className="muted small">
                Checked with <code>useAccess(&quot;{orgId}&quot;, action, &quot;projects&quot;)</code> and <code>agent.isAdminOf()</code>.
              </p>
            </>
          )}
          <div className="actions">
            <Link to={{ pathname: "/projects", search }} className="button primary">
              Open projects
            </Link>
            <Link to={{ pathname: "/admin", search }} className="button secondary">
              Admin
            </Link>
          </div>
        </section>
      </div>
    </div>
  );
}
