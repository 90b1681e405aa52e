// What fast-check generates for one run: the IdP's lifetimes, the client's options, the fault
// rates, and the user's and the browser's actions (an action list: each after a gap, in a tab
// chosen by index among the open ones). Shrinking removes actions and shortens gaps.
import fc from "fast-check";
import type { BrowserFaults } from "./sim-browser.js";
import type { IdpConfig } from "./sim-idp.js";

export const ACTIONS = ["login", "logout", "tokens", "fetch", "org", "duplicate", "newTab", "close", "reload", "freeze", "bfcache", "clock", "offline", "wait"] as const;
export type ActionKind = (typeof ACTIONS)[number];

export interface Action {
  kind: ActionKind;
  /** ms after the previous action. */
  gap: number;
  /** Which open tab (modulo their number). */
  tab: number;
  /** The action's size: calls in a burst, seconds frozen or away, the clock's jump… */
  n: number;
}

export interface Scenario {
  prngSeed: number;
  idp: IdpConfig;
  storage: "session" | "local";
  /** Logins restricted to an organization (`org` option). */
  org: boolean;
  requestTimeoutSeconds: number;
  faultRate: number;
  slowRate: number;
  browser: BrowserFaults;
  /** The device clock's offset from the IdP's at the start, ms. */
  skewMs: number;
  /** A foreign script takes the refresh lock at this time (ms into the run) and never lets go. */
  foreignLockAt: number | null;
  actions: Action[];
}

const weighted = <T>(...entries: Array<[number, T]>) => fc.oneof(...entries.map(([weight, value]) => ({ weight, arbitrary: fc.constant(value) })));

const action: fc.Arbitrary<Action> = fc.record({
  kind: weighted<ActionKind>(
    [6, "login"],
    [4, "logout"],
    [18, "tokens"],
    [4, "fetch"],
    [3, "org"],
    [12, "duplicate"],
    [3, "newTab"],
    [5, "close"],
    [6, "reload"],
    [6, "freeze"],
    [5, "bfcache"],
    [3, "clock"],
    [2, "offline"],
    [8, "wait"],
  ),
  gap: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 2_000 }) }, { weight: 3, arbitrary: fc.integer({ min: 0, max: 30_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 240_000 }) }),
  tab: fc.nat({ max: 9 }),
  n: fc.integer({ min: 1, max: 10 }),
});

export const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  prngSeed: fc.integer({ min: 1, max: 0x7fffffff }),
  idp: fc.record({
    accessTtl: weighted([1, 2], [2, 10], [2, 30], [2, 60], [3, 300], [2, 900]),
    sendExpiresIn: weighted([4, true], [1, false]),
    idTokenTtl: weighted([1, 5], [1, 30], [2, 60], [2, 300], [3, 3600]),
    refreshTtl: weighted([1, 120], [2, 600], [3, 3600], [2, 86_400]),
  }),
  storage: weighted<"session" | "local">([4, "session"], [1, "local"]),
  org: weighted([4, false], [1, true]),
  requestTimeoutSeconds: weighted([2, 10], [2, 20], [3, 30]),
  faultRate: weighted([2, 0], [3, 0.05], [2, 0.15], [1, 0.35]),
  slowRate: weighted([3, 0], [3, 0.05], [1, 0.3]),
  browser: fc.record({
    storageLag: weighted<[number, number]>([2, [0, 5]], [3, [1, 200]], [1, [50, 1_500]]),
    channelDelay: weighted<[number, number]>([2, [0, 5]], [3, [1, 300]], [1, [0, 2_500]]),
    freshPostLoss: weighted([2, 0], [2, 0.5], [1, 1]),
    lockHandover: weighted<[number, number]>([3, [0, 2]], [1, [0, 50]]),
  }),
  skewMs: weighted([5, 0], [1, 300_000], [1, -300_000], [1, 7_200_000]),
  foreignLockAt: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 300_000 }) }),
  actions: fc.array(action, { minLength: 5, maxLength: 60 }),
});
