import { useSyncExternalStore } from "react";

export interface Project {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly status: "active" | "planning" | "done";
  /** Milliseconds since the epoch. */
  readonly updatedAt: number;
}

const DAY = 86_400_000;
const seededAt = Date.now();

function seed(id: string, name: string, description: string, status: Project["status"], daysAgo: number): Project {
  return { id, name, description, status, updatedAt: seededAt - daysAgo * DAY };
}

// A stand-in for an API: the demo is about who may see and change these, not about storing them.
// Kept in memory, so changes last until the tab reloads.
let projectsByOrg: ReadonlyMap<string, readonly Project[]> = new Map([
  [
    "org_acme",
    [
      seed("prj_website", "Website relaunch", "New marketing site and pricing pages.", "active", 1),
      seed("prj_mobile", "Mobile app 2.0", "Offline mode and push notifications.", "planning", 4),
      seed("prj_billing", "Billing migration", "Move invoices to the new payment provider.", "active", 9),
      seed("prj_onboarding", "Customer onboarding", "Guided setup for new workspaces.", "done", 30),
    ],
  ],
  [
    "org_globex",
    [
      seed("prj_forecast", "Sales forecast", "Quarterly forecast model for the board.", "active", 2),
      seed("prj_warehouse", "Warehouse robotics", "Pilot in the Springfield warehouse.", "planning", 12),
    ],
  ],
]);
const listeners = new Set<() => void>();
const none: readonly Project[] = [];
let nextId = 1;

function update(orgId: string, change: (projects: readonly Project[]) => readonly Project[]): void {
  const next = new Map(projectsByOrg);
  next.set(orgId, change(projectsByOrg.get(orgId) ?? none));
  projectsByOrg = next;
  for (const listener of listeners) listener();
}

export function createProject(orgId: string, name: string, description: string): void {
  const project: Project = { id: `prj_new${nextId++}`, name, description, status: "planning", updatedAt: Date.now() };
  update(orgId, (projects) => [project, ...projects]);
}

export function renameProject(orgId: string, projectId: string, name: string): void {
  update(orgId, (projects) => projects.map((p) => (p.id === projectId ? { ...p, name, updatedAt: Date.now() } : p)));
}

export function deleteProject(orgId: string, projectId: string): void {
  update(orgId, (projects) => projects.filter((p) => p.id !== projectId));
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useProjects(orgId: string): readonly Project[] {
  return useSyncExternalStore(subscribe, () => projectsByOrg.get(orgId) ?? none);
}
