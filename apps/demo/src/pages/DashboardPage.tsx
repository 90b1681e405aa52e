import { useActiveAccess, useActiveOrg, useAgent } from "@authpi/react";
import { Link } from "react-router";
import { orgName } from "../auth/org";
import { displayName } from "../auth/profile";
import { Permission } from "../components/Permission";
import { SessionPanel } from "../components/SessionPanel";
import { usePageTitle } from "../hooks/usePageTitle";

export function DashboardPage() {
  usePageTitle("Dashboard");
  const agent = useAgent();
  const { activeOrg, organizations } = useActiveOrg();
  // In the active organization; without one, everything reads as not allowed.
  const canRead = useActiveAccess("read", "projects");
  const canWrite = useActiveAccess("write", "projects");
  const canDelete = useActiveAccess("delete", "projects");
  if (!agent) return null;
  const firstName = displayName(agent).split(" ")[0];

  return (
    <div className="stack-lg">
      <div className="page-header">
        <h1>Welcome, {firstName}</h1>
        <p className="muted">
          {activeOrg
            ? `Organization: ${orgName(activeOrg)}`
            : organizations.length === 0
              ? "You are not a member of any organization yet."
              : "Pick an organization to work in."}
        </p>
      </div>
      <div className="dashboard-grid">
        <SessionPanel agent={agent} />
        <section className="card" aria-labelledby="access-title">
          <h2 id="access-title">What you can do here</h2>
          {activeOrg === null ? (
            <p className="muted">
              {organizations.length === 0
                ? "Without an organization there are no projects to see. Ask an owner to invite you."
                : "Your permissions depend on the organization: pick one with the switcher at the top."}
            </p>
          ) : (
            <>
              <ul className="permissions">
                <Permission allowed={canRead} label="See projects" scope="projects:read" />
                <Permission allowed={canWrite} label="Create and edit projects" scope="projects:write" />
                <Permission allowed={canDelete} label="Delete projects" scope="projects:delete" />
                <Permission allowed={agent.isAdminOf(activeOrg.id)} label="Administer the organization" scope="admin" />
              </ul>
              <p className="muted small">
                Checked with <code>useActiveAccess(action, &quot;projects&quot;)</code> in <code>{activeOrg.id}</code>, and{" "}
                <code>agent.isAdminOf()</code>.
              </p>
            </>
          )}
          <div className="actions">
            <Link to="/projects" className="button primary">
              Open projects
            </Link>
            <Link to="/admin" className="button secondary">
              Admin
            </Link>
          </div>
        </section>
      </div>
    </div>
  );
}
