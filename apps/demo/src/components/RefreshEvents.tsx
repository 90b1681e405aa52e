import type { RefreshEvent } from "../auth/refresh-log";
import { formatTime } from "../format";

export function RefreshEvents({ events }: { events: readonly RefreshEvent[] }) {
  if (events.length === 0) {
    return <p className="muted small">No refresh yet. The kit renews the access token about a minute before it expires.</p>;
  }
  return (
    <ol className="event-log" data-testid="refresh-log">
      {events.map((event) => (
        <li key={`${event.at}-${event.kind}`} className={`event ${event.kind}`}>
          <time dateTime={new Date(event.at).toISOString()}>{formatTime(event.at)}</time>
          {event.kind === "refreshed" ? (
            <span>Tokens refreshed, valid until {formatTime(event.expiresAt * 1000)}</span>
          ) : (
            <span>
              Refresh failed, session ended: <code>{event.code}</code>
              {event.description !== undefined && <> — {event.description}</>}
            </span>
          )}
        </li>
      ))}
    </ol>
  );
}
