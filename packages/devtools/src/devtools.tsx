import type { AuthenticatedAgent, AuthSnapshot } from "@authpi/core";
import { explainAuthError, useActiveOrg, useAuthPI, useAuthPIClient } from "@authpi/react";
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { useClientLog, type ClientLog, type LogEntry } from "./client-log.js";
import { clockTime, countdown } from "./format.js";
import { ScopeExplorer } from "./scope-explorer.js";
import { css, ROOT } from "./styles.js";

export interface AuthPIDevtoolsProps {
  /** Open on the first render. Default `false`. */
  initialIsOpen?: boolean;
  /** The corner of the toggle and the panel. Default `"bottom-right"`. */
  position?: "bottom-right" | "bottom-left";
  /** How many refresh and tab events the log keeps, newest first. Default 50. */
  logSize?: number;
}

/** The toggle and the panel. Mount it inside `<AuthPIProvider>`, with a real client. */
export function AuthPIDevtools({ initialIsOpen = false, position = "bottom-right", logSize = 50 }: AuthPIDevtoolsProps) {
  const client = useAuthPIClient();
  const { status } = useAuthPI();
  // Mounted with the toggle, not the panel: events while the panel is closed are kept.
  const log = useClientLog(client, logSize);
  const [open, setOpen] = useState(initialIsOpen);
  const toggleRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  // Only an open the user asked for takes focus; `initialIsOpen` does not steal it from the app.
  const focusPanel = useRef(false);
  const panelId = useId();

  useEffect(() => {
    if (open && focusPanel.current) panelRef.current?.focus();
    focusPanel.current = false;
  }, [open]);

  const toggle = () => {
    focusPanel.current = !open;
    setOpen(!open);
  };
  const close = () => {
    setOpen(false);
    toggleRef.current?.focus();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== "Escape" || !open) return;
    event.stopPropagation();
    close();
  };

  return (
    <div className={ROOT} data-position={position} onKeyDown={onKeyDown}>
      <style>{css}</style>
      {open ? (
        <div ref={panelRef} id={panelId} className={`${ROOT}-panel`} role="region" aria-label="AuthPI devtools" tabIndex={-1}>
          <div className={`${ROOT}-header`}>
            <h2>AuthPI devtools</h2>
            <button type="button" className={`${ROOT}-close`} onClick={close} aria-label="Close AuthPI devtools">
              Close
            </button>
          </div>
          <PanelBody log={log} />
        </div>
      ) : null}
      <button ref={toggleRef} type="button" className={`${ROOT}-toggle`} aria-expanded={open} aria-controls={open ? panelId : undefined} onClick={toggle}>
        <span className={`${ROOT}-dot`} data-status={status} aria-hidden="true" />
        AuthPI
      </button>
    </div>
  );
}

/** Mounted only while the panel is open, so its 1 s clock runs only then. */
function PanelBody({ log }: { log: ClientLog }) {
  const { status, agent, error } = useAuthPI();
  const now = useNow(1000);
  return (
    <>
      <Session status={status} agent={agent} error={error} />
      <section aria-labelledby={`${ROOT}-expiry`}>
        <h3 id={`${ROOT}-expiry`}>Expiry</h3>
        <dl>
          <dt>Access token</dt>
          <dd data-testid="authpi-devtools-access-expiry">{agent ? countdown(agent.expiresAt * 1000, now) : "—"}</dd>
          <dt>ID token</dt>
          <dd data-testid="authpi-devtools-id-expiry">{typeof agent?.claims.exp === "number" ? countdown(agent.claims.exp * 1000, now) : "—"}</dd>
          <dt>Next refresh</dt>
          <dd data-testid="authpi-devtools-next-refresh">
            {log.nextRefreshAt === undefined ? "not planned yet" : log.nextRefreshAt === null ? "none planned" : `${countdown(log.nextRefreshAt, now, "due")} (${clockTime(log.nextRefreshAt)})`}
          </dd>
        </dl>
      </section>
      <section aria-labelledby={`${ROOT}-log`}>
        <h3 id={`${ROOT}-log`}>Refreshes and tab sync</h3>
        <EventLog entries={log.entries} />
      </section>
      <section aria-labelledby={`${ROOT}-scopes`}>
        <h3 id={`${ROOT}-scopes`}>Scope explorer</h3>
        <ScopeExplorer agent={agent} />
      </section>
      <section aria-labelledby={`${ROOT}-claims`}>
        <h3 id={`${ROOT}-claims`}>ID token claims</h3>
        {agent ? <pre data-testid="authpi-devtools-claims">{JSON.stringify(agent.claims, null, 2)}</pre> : <p className={`${ROOT}-muted`}>No session.</p>}
      </section>
    </>
  );
}

function Session({ status, agent, error }: Pick<AuthSnapshot, "status" | "agent" | "error">) {
  const { activeOrg } = useActiveOrg();
  return (
    <section aria-labelledby={`${ROOT}-session`}>
      <h3 id={`${ROOT}-session`}>Session</h3>
      <dl>
        <dt>Status</dt>
        <dd data-testid="authpi-devtools-status">{status}</dd>
        {error ? (
          <>
            <dt>Error</dt>
            <dd data-testid="authpi-devtools-error">
              {explainAuthError(error).title} <span className={`${ROOT}-mono`}>{error.error}</span>
            </dd>
          </>
        ) : null}
        {agent ? <AgentRows agent={agent} activeOrgId={activeOrg?.id ?? null} /> : null}
      </dl>
    </section>
  );
}

function AgentRows({ agent, activeOrgId }: { agent: AuthenticatedAgent; activeOrgId: string | null }) {
  return (
    <>
      <dt>Id</dt>
      <dd className={`${ROOT}-mono`}>{agent.id}</dd>
      <dt>Type</dt>
      <dd>{agent.type}</dd>
      <dt>Email</dt>
      <dd>{agent.email ?? "—"}</dd>
      <dt>Organizations</dt>
      <dd>
        {agent.organizations.length === 0 ? (
          "none"
        ) : (
          <ul>
            {agent.organizations.map((org) => (
              <li key={org.id}>
                <span className={`${ROOT}-mono`}>{org.id}</span>
                {org.title ? ` ${org.title}` : ""} <span className={`${ROOT}-muted`}>({org.scopes.join(" ") || "no scopes"})</span>
              </li>
            ))}
          </ul>
        )}
      </dd>
      <dt>Active org</dt>
      <dd className={`${ROOT}-mono`}>{activeOrgId ?? "none"}</dd>
    </>
  );
}

function EventLog({ entries }: { entries: readonly LogEntry[] }) {
  if (entries.length === 0) return <p className={`${ROOT}-muted`}>Nothing yet: refreshes, tab events and a new tab's restoration since this page loaded show here.</p>;
  return (
    <div className={`${ROOT}-log`}>
      <table data-testid="authpi-devtools-log">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Event</th>
            <th scope="col">Duration</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id}>
              <td className={`${ROOT}-mono`}>{clockTime(entry.at)}</td>
              <td data-outcome={entry.source === "tab" ? undefined : entry.kind}>
                {entry.source === "tab" ? entry.kind : entry.source === "refresh" ? `refresh ${entry.kind}` : `session ${entry.kind === "restored" ? "restored from the IdP (new tab)" : `not restored: ${entry.kind}`}`}
              </td>
              <td className={`${ROOT}-mono`}>{entry.durationMs === null ? "" : `${entry.durationMs} ms`}</td>
              <td className={`${ROOT}-mono`}>{entry.error ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** `Date.now()`, updated every `intervalMs` while mounted. */
function useNow(intervalMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
