// client.on(): what devtools and logging see of the client at work.
import { beforeEach, describe, expect, it } from "vitest";
import type { AuthPIEvents } from "../src/index.js";
import type { StorageLike } from "../src/storage.js";
import { advance, fakeClient, seedSession, T0, useFakeSession } from "./support/fake-session.js";
import type { HostileIdp } from "./support/hostile-idp.js";

let idp: HostileIdp;
let storage: StorageLike;

const env = useFakeSession();
beforeEach(() => {
  ({ idp, storage } = env);
});

describe("client.on()", () => {
  it("reports the planned refresh, each refresh's outcome and duration, and a retry after a failure", async () => {
    seedSession(storage, idp, { expiresIn: 120 });
    let answer = 0;
    idp.on("/token", () => {
      answer += 1;
      return answer === 1
        ? { status: 503, body: { error: "temporarily_unavailable" }, headers: { "retry-after": "2" } }
        : { body: { access_token: "at-1", token_type: "Bearer", expires_in: 300, refresh_token: "rt-1" }, delayMs: 250 };
    });
    const client = fakeClient(idp, storage);
    const schedules: Array<AuthPIEvents["schedule"]> = [];
    const refreshes: Array<AuthPIEvents["refresh"]> = [];
    client.on("schedule", (event) => schedules.push(event));
    const stop = client.on("refresh", (event) => refreshes.push(event));
    client.on("refresh", () => {
      throw new Error("a buggy observer");
    });
    await client.start();
    expect(schedules.at(-1)).toEqual({ nextRefreshAt: T0 + 60_000 });
    await advance(60_000);
    expect(refreshes).toMatchObject([{ outcome: "retrying", startedAt: T0 + 60_000, error: { statusCode: 503 } }]);
    expect(schedules.at(-1)?.nextRefreshAt).toBe(T0 + 62_000);
    await advance(2_000);
    await advance(250);
    expect(refreshes.at(-1)).toMatchObject({ outcome: "refreshed", startedAt: T0 + 62_000, durationMs: 250, error: null });
    expect(client.getSnapshot().agent?.tokens.refreshToken).toBe("rt-1");
    const late: Array<AuthPIEvents["schedule"]> = [];
    client.on("schedule", (event) => late.push(event));
    expect(late).toEqual([schedules.at(-1)]); // the current plan, at once
    stop();
    const more = client.refresh();
    await advance(250);
    await more;
    expect(refreshes).toHaveLength(2);
  });
});
