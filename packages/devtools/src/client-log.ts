import type { AuthPIClient, AuthPIEvents } from "@authpi/core";
import { useEffect, useState } from "react";

export interface LogEntry {
  /** Unique within the log, for React keys. */
  readonly id: number;
  readonly source: "refresh" | "tab" | "restore";
  /** The refresh's outcome, the tab event's kind, or how a new tab's restoration from the IdP ended. */
  readonly kind: AuthPIEvents["refresh"]["outcome"] | AuthPIEvents["tab"]["kind"] | AuthPIEvents["restore"]["outcome"];
  /** When it started, in ms (the client's clock). */
  readonly at: number;
  /** `null`: not known (a restoration this tab did not start). */
  readonly durationMs: number | null;
  /** The error's machine code (`network_error`, `invalid_grant` …). */
  readonly error: string | null;
}

export interface ClientLog {
  /** Newest first, at most `size`. */
  readonly entries: readonly LogEntry[];
  /** The next planned background refresh in ms, `null` for none, `undefined` before the client has said. */
  readonly nextRefreshAt: number | null | undefined;
}

let nextId = 0;

/**
 * The client's events since this component mounted. It subscribes on mount, not when the
 * panel opens, so a refresh while the panel is closed is in the log when it opens.
 */
export function useClientLog(client: AuthPIClient, size: number): ClientLog {
  const [entries, setEntries] = useState<readonly LogEntry[]>([]);
  const [nextRefreshAt, setNextRefreshAt] = useState<number | null | undefined>(undefined);
  useEffect(() => {
    const add = (entry: Omit<LogEntry, "id">) => setEntries((current) => [{ ...entry, id: (nextId += 1) }, ...current].slice(0, size));
    const stops = [
      client.on("refresh", ({ outcome, startedAt, durationMs, error }) =>
        add({ source: "refresh", kind: outcome, at: startedAt, durationMs, error: error?.error ?? null }),
      ),
      client.on("tab", ({ kind, at, durationMs }) => add({ source: "tab", kind, at, durationMs, error: null })),
      // A new tab's silent restoration: when the redirect left, so the duration covers the whole round trip.
      client.on("restore", ({ outcome, at, durationMs }) => add({ source: "restore", kind: outcome, at: durationMs === null ? at : at - durationMs, durationMs, error: null })),
      client.on("schedule", (event) => setNextRefreshAt(event.nextRefreshAt)),
    ];
    return () => {
      for (const stop of stops) stop();
    };
  }, [client, size]);
  return { entries, nextRefreshAt };
}
