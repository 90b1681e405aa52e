import type { AuthenticatedAgent } from "@authpi/core";
import { useActiveOrg } from "@authpi/react";
import { useState } from "react";
import { client } from "../auth/client";
import { orgName } from "../auth/org";
import { displayName } from "../auth/profile";
import { useRefreshLog } from "../auth/refresh-log";
import { formatTime } from "../format";
import { ExpiryCountdown } from "./ExpiryCountdown";
import { RefreshEvents } from "./RefreshEvents";

function errorCode(error: unknown): string {
  return error instanceof Error && "error" in error && typeof error.error === "string" ? error.error : "unexpected_error";
}

/** Everything the kit knows about the session, for people evaluating it. */
export function SessionPanel({ agent }: { agent: AuthenticatedAgent }) {
  const { activeOrg, organizations } = useActiveOrg();
  const { count, lastRefreshAt, events } = useRefreshLog();
  const [refreshing, setRefreshing] = useState(false);
  const [refreshError, setRefreshError] = useState<string | null>(null);
  const scopes = activeOrg?.scopes ?? [];

  const refreshNow = () => {
    setRefreshing(true);
    setRefreshError(null);
    // Successes and session-ending failures reach the log through the client's
    // onRefresh / onRefreshError; a failure it retries by itself is shown here.
    client
      .refresh()
      .catch((error: unknown) => setRefreshError(errorCode(error)))
      .finally(() => setRefreshing(false));
  };

  return (
    <section className="card" aria-labelledby="session-title">
      <div className="card-header">
        <h2 id="session-title">Your session</h2>
        <button type="button" className="button secondary" data-testid="refresh-now" onClick={refreshNow} disabled={refreshing}>
          {refreshing ? "Refreshing…" : "Refresh now"}
        </button>
      </div>
      {refreshError !== null && (
        <p className="inline-error" role="alert">
          The refresh failed (<code>{refreshError}</code>). The kit keeps the session and retries.
        </p>
      )}
      <dl className="facts">
        <div>
          <dt>Name</dt>
          <dd>{displayName(agent)}</dd>
        </div>
        <div>
          <dt>Email</dt>
          <dd>
            {agent.email ?? "—"}
            {agent.emailVerified && <span className="badge success">verified</span>}
          </dd>
        </div>
        <div>
          <dt>Subject</dt>
          <dd>
            <code data-testid="user-id">{agent.id}</code>
          </dd>
        </div>
        <div>
          <dt>Principal type</dt>
          <dd>
            <span className="badge" data-testid="principal-type">
              {agent.type}
            </span>
          </dd>
        </div>
        <div className="wide">
          <dt>Scopes in {activeOrg ? orgName(activeOrg) : "the active organization"}</dt>
          <dd>
            {scopes.length === 0 ? (
              <span className="muted">
                {activeOrg ? "None." : organizations.length === 0 ? "You are not in any organization." : "No organization picked yet."}
              </span>
            ) : (
              <ul className="chips" data-testid="org-scopes">
                {scopes.map((scope) => (
                  <li key={scope}>
                    <code>{scope}</code>
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </div>
        <div>
          <dt>Access token expires in</dt>
          <dd>
            <ExpiryCountdown agent={agent} />
          </dd>
        </div>
        <div>
          <dt>Last refresh</dt>
          <dd data-testid="last-refresh">
            {lastRefreshAt === null ? "Not yet" : <time dateTime={new Date(lastRefreshAt).toISOString()}>{formatTime(lastRefreshAt)}</time>}
          </dd>
        </div>
        <div>
          <dt>Refreshes in this tab</dt>
          <dd data-testid="refresh-count">{count}</dd>
        </div>
      </dl>
      <h3 className="subheading">Refresh events</h3>
      <RefreshEvents events={events} />
    </section>
  );
}
