// explainAccess() against the scope truth table: non-null exactly when
// hasAccess() is true, and the scope it names grants the request by itself.
import { describe, expect, it } from "vitest";
import { explainAccess, hasAccess } from "../src/index.js";

const scopes = ["users:read", "users:*", "projects:**", "*:read", "*:*", "*:**", "owner", "admin", "bad scope", "x:y:z", "billing:export"];
const actions = ["read", "write", "delete", "export", "*", "**", "READ", ""];
const resources = ["users", "users.verifiers", "projects", "projects.tasks", "projects.tasks.comments", "projectsx", "billing", "Users", "*", ""];

/** Every subset of up to three scopes, so order and combinations are exercised too. */
function* scopeLists(): Generator<string[]> {
  yield [];
  for (const a of scopes) {
    yield [a];
    for (const b of scopes) {
      if (b !== a) yield [a, b];
    }
  }
  yield ["owner", "users:read", "projects:**"];
  yield ["*:**", "users:read"];
}

describe("explainAccess() over the scope truth table", () => {
  it("is non-null exactly when hasAccess() is true, and the named scope grants the request alone", () => {
    let checked = 0;
    let granted = 0;
    for (const list of scopeLists()) {
      for (const action of actions) {
        for (const resource of resources) {
          const why = explainAccess(list, action, resource);
          expect(why !== null, `${JSON.stringify(list)} ${action} ${resource}`).toBe(hasAccess(list, action, resource));
          if (why !== null) {
            granted += 1;
            expect(list).toContain(why);
            expect(hasAccess([why], action, resource)).toBe(true);
          }
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(8_000);
    expect(granted).toBeGreaterThan(1_000);
  });

  it("names the first granting scope in the list", () => {
    expect(explainAccess(["users:read", "*:**"], "read", "users")).toBe("users:read");
    expect(explainAccess(["*:**", "users:read"], "read", "users")).toBe("*:**");
    expect(explainAccess(["projects:read", "projects:**"], "delete", "projects.tasks")).toBe("projects:**");
  });

  it("never names a role scope, and never throws on input that is not a scope list", () => {
    expect(explainAccess(["owner", "admin", "member"], "read", "owner")).toBeNull();
    for (const input of [null, undefined, "users:read", 42, {}, [42, null]]) expect(explainAccess(input, "read", "users")).toBeNull();
  });
});
