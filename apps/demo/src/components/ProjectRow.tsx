import { useId, useState, type FormEvent } from "react";
import { deleteProject, renameProject, type Project } from "../data/projects";
import { formatDate } from "../format";

interface ProjectRowProps {
  project: Project;
  orgId: string;
  canWrite: boolean;
  canDelete: boolean;
}

const statusLabels: Record<Project["status"], string> = { active: "Active", planning: "Planning", done: "Done" };

export function ProjectRow({ project, orgId, canWrite, canDelete }: ProjectRowProps) {
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(project.name);

  const save = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() !== "") renameProject(orgId, project.id, name.trim());
    setEditing(false);
  };

  if (editing) {
    return (
      <li className="project editing">
        <form className="inline-form" onSubmit={save}>
          <label htmlFor={`${id}-name`} className="visually-hidden">
            Project name
          </label>
          <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} required autoFocus maxLength={80} />
          <button type="submit" className="button primary">
            Save
          </button>
          <button type="button" className="button secondary" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      </li>
    );
  }

  return (
    <li className="project" id={project.id}>
      <div className="project-main">
        <h3 className="project-name">{project.name}</h3>
        {/* A brand-new tab (noopener: nothing is copied into it) restores the session from the IdP, silently. */}
        <a href={`/projects?org=${encodeURIComponent(orgId)}#${project.id}`} target="_blank" rel="noopener" className="small" data-testid="open-in-new-tab">
          Open in a new tab
        </a>
        {project.description !== "" && <p className="muted">{project.description}</p>}
      </div>
      <div className="project-meta">
        <span className={`badge status-${project.status}`}>{statusLabels[project.status]}</span>
        <span className="muted small">Updated {formatDate(project.updatedAt)}</span>
      </div>
      {(canWrite || canDelete) && (
        <div className="project-actions">
          {canWrite && (
            <button
              type="button"
              className="button subtle"
              data-testid="edit-project"
              aria-label={`Edit ${project.name}`}
              onClick={() => {
                setName(project.name);
                setEditing(true);
              }}
            >
              Edit
            </button>
          )}
          {canDelete && (
            <button
              type="button"
              className="button subtle danger"
              data-testid="delete-project"
              aria-label={`Delete ${project.name}`}
              onClick={() => deleteProject(orgId, project.id)}
            >
              Delete
            </button>
          )}
        </div>
      )}
    </li>
  );
}
