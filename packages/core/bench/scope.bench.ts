// Scope checks per second for an agent with 5 organizations × 20 scopes, next
// to a naive split-and-compare engine on the same data. Run: `pnpm bench`.
import { bench, describe } from "vitest";
import { AuthenticatedAgent } from "../src/index.js";

const resources = ["projects", "users", "billing", "reports", "settings", "projects.tasks", "teams", "invoices", "audit", "keys"];
const organizations = Array.from({ length: 5 }, (_, o) => ({
  id: `org_${o}`,
  title: null,
  joined_at: 1_700_000_000,
  scopes: Array.from({ length: 20 }, (_, s) => `${resources[s % 10]}${o}.r${s}:${s % 3 === 0 ? "**" : s % 3 === 1 ? "*" : "read"}`),
}));
const agent = new AuthenticatedAgent(
  { accessToken: "a", idToken: "i", tokenType: "Bearer", scope: "openid profile email", expiresAt: 2_000_000_000 },
  { iss: "https://idp.example/i_x", aud: "cli_x", sub: "usr_bench", exp: 2_000_000_000, iat: 1_700_000_000, organizations },
);

// A mixed workload: hits in the last organization, deep descendants, misses.
const checks: Array<[string, string, string]> = [
  ["org_4", "read", "reports4.r3"],
  ["org_4", "write", "projects4.r0.tasks.comments"],
  ["org_2", "delete", "billing2.r2"],
  ["org_0", "read", "nothing.here"],
  ["org_3", "write", "users3.r1"],
  ["org_1", "read", "settings1.r4"],
];

/** The engine peers ship: split every scope on every check. */
function naiveHasAccess(scopes: readonly string[], action: string, resource: string): boolean {
  for (const scope of scopes) {
    const [granted, allowed] = scope.split(":");
    if (granted === undefined || allowed === undefined) continue;
    if (granted === "*" && allowed === "**") return true;
    if (granted === "*" && !resource.includes(".") && (allowed === "*" || allowed === action)) return true;
    if (granted === resource && (allowed === action || allowed === "*" || allowed === "**")) return true;
    if (allowed === "**" && resource.startsWith(`${granted}.`)) return true;
  }
  return false;
}

describe("hasAccessIn, 5 orgs × 20 scopes (6 checks per iteration)", () => {
  bench("AuthenticatedAgent#hasAccessIn (compiled once per agent)", () => {
    for (const [org, action, resource] of checks) agent.hasAccessIn(org, action, resource);
  });
  bench("naive split-and-compare", () => {
    for (const [org, action, resource] of checks) {
      naiveHasAccess(organizations.find((o) => o.id === org)?.scopes ?? [], action, resource);
    }
  });
});

describe("hasAccess across all orgs, 5 orgs × 20 scopes (6 checks per iteration)", () => {
  bench("AuthenticatedAgent#hasAccess (compiled once per agent)", () => {
    for (const [, action, resource] of checks) agent.hasAccess(action, resource);
  });
  bench("naive split-and-compare over every org", () => {
    for (const [, action, resource] of checks) organizations.some((o) => naiveHasAccess(o.scopes, action, resource));
  });
});
