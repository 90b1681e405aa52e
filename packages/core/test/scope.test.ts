import { describe, expect, it } from "vitest";
import { hasAccess, parseScope, ScopeSet } from "../src/index.js";

// Every check runs through both engines: the one-off `hasAccess` and the
// precompiled `ScopeSet` that agents use. They must never disagree.
const engines = [
  ["hasAccess()", (scopes: string[], action: string, resource: string) => hasAccess(scopes, action, resource)],
  ["ScopeSet#has()", (scopes: string[], action: string, resource: string) => new ScopeSet(scopes).has(action, resource)],
] as const;

// SPEC §3: granted scope, what it grants, what it does not grant.
const table: Array<{ granted: string; grants: Array<[string, string]>; doesNotGrant: Array<[string, string]> }> = [
  {
    granted: "users:read",
    grants: [["read", "users"]],
    doesNotGrant: [["write", "users"], ["read", "users.verifiers"], ["read", "Users"], ["READ", "users"]],
  },
  {
    granted: "users:*",
    grants: [["read", "users"], ["write", "users"], ["delete", "users"]],
    doesNotGrant: [["read", "users.verifiers"], ["write", "users.verifiers"], ["read", "usersx"]],
  },
  {
    granted: "projects:**",
    grants: [["read", "projects"], ["write", "projects"], ["delete", "projects.tasks"], ["write", "projects.tasks.comments"]],
    doesNotGrant: [["read", "projectsx"], ["read", "projects-archive"], ["read", "projectsx.tasks"], ["read", "users"]],
  },
  {
    granted: "*:read",
    grants: [["read", "users"], ["read", "projects"], ["read", "billing"]],
    doesNotGrant: [["read", "projects.tasks"], ["write", "users"]],
  },
  {
    granted: "*:*",
    grants: [["read", "users"], ["write", "projects"], ["delete", "billing"]],
    doesNotGrant: [["read", "projects.tasks"], ["write", "users.verifiers"]],
  },
  {
    granted: "*:**",
    grants: [["read", "users"], ["delete", "projects.tasks.comments"], ["write", "a.b.c.d.e"]],
    doesNotGrant: [],
  },
];

describe.each(engines)("%s follows the SPEC §3 scope table", (_name, check) => {
  for (const row of table) {
    for (const [action, resource] of row.grants) {
      it(`${row.granted} grants ${action} on ${resource}`, () => {
        expect(check([row.granted], action, resource)).toBe(true);
      });
    }
    for (const [action, resource] of row.doesNotGrant) {
      it(`${row.granted} does not grant ${action} on ${resource}`, () => {
        expect(check([row.granted], action, resource)).toBe(false);
      });
    }
  }

  it("grants when any one of several scopes grants", () => {
    expect(check(["users:read", "projects:**"], "write", "projects.tasks")).toBe(true);
    expect(check(["users:read", "projects:**"], "delete", "users")).toBe(false);
  });

  it("grants nothing from an empty list", () => {
    expect(check([], "read", "users")).toBe(false);
  });

  it("never grants a request that itself holds a wildcard or is malformed", () => {
    for (const [action, resource] of [
      ["*", "users"],
      ["**", "users"],
      ["read", "*"],
      ["read", "users."],
      ["read", ".users"],
      ["read", "users..tasks"],
      ["read", ""],
      ["", "users"],
      ["re ad", "users"],
      ["read", "users:read"],
    ] as const) {
      expect(check(["*:**", "users:*", "users:read"], action, resource), `${action} on ${resource}`).toBe(false);
    }
  });

  it("grants nothing from a malformed scope and does not throw", () => {
    for (const scope of malformed) expect(check([scope], "read", "users"), JSON.stringify(scope)).toBe(false);
    expect(check([...malformed, "users:read"], "read", "users")).toBe(true);
  });

  it("reads role scopes as no resource grant at all", () => {
    expect(check(["owner", "admin", "member"], "read", "users")).toBe(false);
  });
});

const malformed = [
  "users",
  "users:",
  ":read",
  ":",
  "users:read:extra",
  "users::read",
  " users:read",
  "users:read ",
  "users :read",
  "users:re ad",
  "users\t:read",
  "users:read\n",
  "users.:read",
  ".users:read",
  "users..tasks:read",
  "us*ers:read",
  "users.*:read",
  "**:read",
  "*.users:read",
  "users:***",
  "users:*read",
  "",
  "owner",
  "admin",
  "member",
];

describe("parseScope()", () => {
  it.each([
    ["users:read", "users", "read"],
    ["users.verifiers:write", "users.verifiers", "write"],
    ["projects:**", "projects", "**"],
    ["users:*", "users", "*"],
    ["*:read", "*", "read"],
    ["*:**", "*", "**"],
    ["projects-archive:read_all", "projects-archive", "read_all"],
  ])("parses %s", (scope, resource, action) => {
    expect(parseScope(scope)).toEqual({ resource, action });
  });

  it.each(malformed)("returns null for malformed %j", (scope) => {
    expect(parseScope(scope)).toBeNull();
  });

  it("returns null for values that are not strings", () => {
    for (const value of [null, undefined, 42, {}, ["users:read"], Symbol("x")]) expect(parseScope(value)).toBeNull();
  });
});

describe("hasAccess() on inputs that are not scope lists", () => {
  it("grants nothing and never throws", () => {
    for (const scopes of [null, undefined, "users:read", 42, {}, [null, 42, {}]]) {
      expect(hasAccess(scopes, "read", "users")).toBe(false);
    }
    expect(hasAccess(["users:read"], undefined as unknown as string, "users")).toBe(false);
    expect(hasAccess(["users:read"], "read", 7 as unknown as string)).toBe(false);
    expect(new ScopeSet([null, 3, "users:read"]).has(undefined as unknown as string, "users")).toBe(false);
  });
});
