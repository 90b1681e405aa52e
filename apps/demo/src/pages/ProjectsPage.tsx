import { useAccess } from "@authpi/react";
import { useState, type ReactNode } from "react";
import { orgName, useSelectedOrg } from "../auth/org";
import { AccessDenied } from "../components/AccessDenied";
import { NewProjectForm } from "../components/NewProjectForm";
import { ProjectRow } from "../components/ProjectRow";
import { useProjects } from "../data/projects";
import { usePageTitle } from "../hooks/usePageTitle";

function PageHeader({ subtitle, action }: { subtitle: string; action?: ReactNode }) {
  return (
    <div className="page-header with-actions">
      <div>
        <h1>Projects</h1>
        <p className="muted">{subtitle}</p>
      </div>
      {action}
    </div>
  );
}

export function ProjectsPage() {
  usePageTitle("Projects");
  const { orgId, membership } = useSelectedOrg();
  // The three checks the page is about; "" (no organization) is allowed nothing.
  const org = orgId ?? "";
  const canRead = useAccess(org, "read", "projects");
  const canWrite = useAccess(org, "write", "projects");
  const canDelete = useAccess(org, "delete", "projects");
  const projects = useProjects(org);
  const [creating, setCreating] = useState(false);

  if (orgId === undefined) {
    return (
      <div className="stack">
        <PageHeader subtitle="No organization" />
        <AccessDenied title="You are not in any organization">
          <p>Projects belong to organizations. Once an owner invites you, theirs will show up here.</p>
        </AccessDenied>
      </div>
    );
  }
  const name = orgName(membership, orgId);
  if (!canRead) {
    return (
      <div className="stack">
        <PageHeader subtitle={name} />
        <AccessDenied title={`You can't see projects in ${name}`}>
          <p>
            Seeing projects needs a scope that grants <code>read</code> on <code>projects</code> in this organization, such as{" "}
            <code>projects:read</code> or <code>projects:**</code>.
            {membership ? " Ask an admin of the organization for one." : " You are not a member of it."}
          </p>
        </AccessDenied>
      </div>
    );
  }

  const count = `${projects.length} ${projects.length === 1 ? "project" : "projects"}`;
  return (
    <div className="stack">
      <PageHeader
        subtitle={`${name} · ${count}${canWrite ? "" : " · read-only for you"}`}
        action={
          canWrite &&
          !creating && (
            <button type="button" className="button primary" data-testid="new-project" onClick={() => setCreating(true)}>
              New project
            </button>
          )
        }
      />
      {creating && <NewProjectForm orgId={orgId} onDone={() => setCreating(false)} />}
      <ul className="card project-list" data-testid="project-list" aria-label={`Projects in ${name}`}>
        {projects.length === 0 && <li className="empty">No projects in {name} yet.</li>}
        {projects.map((project) => (
          <ProjectRow key={project.id} project={project} orgId={orgId} canWrite={canWrite} canDelete={canDelete} />
        ))}
      </ul>
    </div>
  );
}
