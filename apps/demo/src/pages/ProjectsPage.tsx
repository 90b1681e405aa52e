import type { Organization } from "@authpi/core";
import { RequireAccess, useActiveAccess, useActiveOrg } from "@authpi/react";
import { useEffect, useState, type ReactNode } from "react";
import { useSearchParams } from "react-router";
import { orgName } from "../auth/org";
import { AccessDenied } from "../components/AccessDenied";
import { NewProjectForm } from "../components/NewProjectForm";
import { PickOrg } from "../components/PickOrg";
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
  const { activeOrg, setActiveOrg } = useActiveOrg();
  // "Open in a new tab" names the organization: a new tab has made no choice of its own yet.
  const [params] = useSearchParams();
  const linkedOrg = params.get("org");
  useEffect(() => {
    if (linkedOrg && !activeOrg) setActiveOrg(linkedOrg).catch(() => undefined);
  }, [linkedOrg, activeOrg, setActiveOrg]);
  const name = orgName(activeOrg);
  return (
    // The page is about the active organization: no org id in the URL or in props.
    <RequireAccess
      activeOrg
      action="read"
      resource="projects"
      noActiveOrg={
        <div className="stack">
          <PageHeader subtitle="No organization picked" />
          <PickOrg what="Projects" />
        </div>
      }
      fallback={
        <div className="stack">
          <PageHeader subtitle={name} />
          <AccessDenied title={`You can't see projects in ${name}`}>
            <p>
              Seeing projects needs a scope that grants <code>read</code> on <code>projects</code> in this organization, such as{" "}
              <code>projects:read</code> or <code>projects:**</code>. Ask an admin of the organization for one.
            </p>
          </AccessDenied>
        </div>
      }
    >
      {/* Keyed: a half-filled form does not follow the user into another organization. */}
      {activeOrg && <ProjectList key={activeOrg.id} org={activeOrg} />}
    </RequireAccess>
  );
}

function ProjectList({ org }: { org: Organization }) {
  // Checked in the active organization; each re-renders only when its answer changes.
  const canWrite = useActiveAccess("write", "projects");
  const canDelete = useActiveAccess("delete", "projects");
  const projects = useProjects(org.id);
  const [creating, setCreating] = useState(false);
  const name = orgName(org);
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
      {creating && <NewProjectForm orgId={org.id} onDone={() => setCreating(false)} />}
      <ul className="card project-list" data-testid="project-list" data-org={org.id} aria-label={`Projects in ${name}`}>
        {projects.length === 0 && <li className="empty">No projects in {name} yet.</li>}
        {projects.map((project) => (
          <ProjectRow key={project.id} project={project} orgId={org.id} canWrite={canWrite} canDelete={canDelete} />
        ))}
      </ul>
    </div>
  );
}
