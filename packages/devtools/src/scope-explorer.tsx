import { explainAccess, type AuthenticatedAgent } from "@authpi/core";
import { useId, useState } from "react";

const ANY = "";

export interface Explanation {
  /** The first scope that grants the request. */
  readonly scope: string;
  /** Where it comes from: an organization id, or `null` for the token-level `scope`. */
  readonly orgId: string | null;
}

/**
 * Which scope grants `action` on `resource`: in one organization, or (`orgId` null) in any of
 * them and then in the token-level scope, as `agent.hasAccess` looks. `null`: nothing grants it.
 */
export function explain(agent: AuthenticatedAgent, orgId: string | null, action: string, resource: string): Explanation | null {
  const orgs = orgId === null ? agent.organizations.map((org) => org.id) : [orgId];
  for (const id of orgs) {
    const scope = explainAccess(agent.getScopesFor(id), action, resource);
    if (scope !== null) return { scope, orgId: id };
  }
  if (orgId !== null) return null;
  const scope = explainAccess(agent.tokens.scope.split(" ").filter(Boolean), action, resource);
  return scope === null ? null : { scope, orgId: null };
}

export function ScopeExplorer({ agent }: { agent: AuthenticatedAgent | null }) {
  const id = useId();
  const [action, setAction] = useState("read");
  const [resource, setResource] = useState("");
  const [chosenOrg, setChosenOrg] = useState(ANY);
  if (!agent) return <p className="authpi-devtools-muted">Sign in to explore scopes.</p>;
  // A refresh may take the chosen membership away: then "any".
  const orgId = agent.organizations.some((org) => org.id === chosenOrg) ? chosenOrg : ANY;
  const request = { action: action.trim(), resource: resource.trim() };
  const answer = request.action && request.resource ? explain(agent, orgId === ANY ? null : orgId, request.action, request.resource) : undefined;
  const where = orgId === ANY ? "in any organization or the token scope" : `in ${orgId}`;
  return (
    <div className="authpi-devtools-explorer">
      <div className="authpi-devtools-fields">
        <label htmlFor={`${id}-action`}>Action</label>
        <input id={`${id}-action`} value={action} onChange={(event) => setAction(event.target.value)} placeholder="read" spellCheck={false} autoComplete="off" />
        <label htmlFor={`${id}-resource`}>Resource</label>
        <input id={`${id}-resource`} value={resource} onChange={(event) => setResource(event.target.value)} placeholder="projects.tasks" spellCheck={false} autoComplete="off" />
        <label htmlFor={`${id}-org`}>Organization</label>
        <select id={`${id}-org`} value={orgId} onChange={(event) => setChosenOrg(event.target.value)}>
          <option value={ANY}>any</option>
          {agent.organizations.map((org) => (
            <option key={org.id} value={org.id}>
              {org.title ? `${org.id} (${org.title})` : org.id}
            </option>
          ))}
        </select>
      </div>
      <output htmlFor={`${id}-action ${id}-resource ${id}-org`} aria-live="polite" data-testid="authpi-devtools-verdict" className="authpi-devtools-verdict" data-allowed={answer ? "true" : answer === null ? "false" : undefined}>
        {answer === undefined ? (
          "Enter an action and a resource."
        ) : answer === null ? (
          <>
            Denied: no scope grants <code>{request.action}</code> on <code>{request.resource}</code> {where}.
            {`${request.action}${request.resource}`.includes("*") ? " A request may not hold a wildcard: only scopes do." : null}
          </>
        ) : (
          <>
            Allowed by <code>{answer.scope}</code> {answer.orgId === null ? "in the token scope" : `in ${answer.orgId}`}.
          </>
        )}
      </output>
    </div>
  );
}
