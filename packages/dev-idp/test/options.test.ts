import { describe, expect, test } from "vitest";
import { seededUsers, startDevIdp } from "../src/index.js";
import { parseUsers } from "../src/users.js";

describe("seeded users", () => {
  test("are the contract the demo and the other tests rely on", () => {
    expect(seededUsers.map((user) => [user.id, user.email, user.password, Boolean(user.blocked)])).toEqual([
      ["usr_olivia", "olivia@acme.test", "authpi", false],
      ["usr_max", "max@acme.test", "authpi", false],
      ["usr_tara", "tara@example.test", "authpi", false],
      ["usr_sam", "sam@example.test", "authpi", false],
      ["usr_nora", "nora@example.test", "authpi", false],
      ["usr_bob", "bob@example.test", "authpi", true],
    ]);
    expect(seededUsers.map((user) => user.organizations.map((org) => `${org.id}=${org.scopes.join(" ")}`))).toEqual([
      ["org_acme=owner projects:** users:read"],
      ["org_acme=projects:read"],
      ["org_acme=admin users:* projects:read", "org_globex=projects:**"],
      ["org_acme=*:**"],
      [],
      ["org_acme=projects:read"],
    ]);
  });

  test("blocking a user changes that IdP's copy only", async () => {
    const idp = await startDevIdp({ quiet: true });
    try {
      idp.blockUser("usr_olivia");
      expect(idp.users.find((user) => user.id === "usr_olivia")?.blocked).toBe(true);
      expect(seededUsers.find((user) => user.id === "usr_olivia")?.blocked).toBeUndefined();
    } finally {
      await idp.close();
    }
  });
});

describe("options", () => {
  test.each([
    [{ port: -1 }, /^port:/],
    [{ issuerPath: "/i_dev/" }, /^issuerPath:/],
    [{ clientName: " " }, /^clientName:/],
    [{ accessTokenTtl: 0 }, /^accessTokenTtl:/],
    [{ signingAlg: "HS256" as never }, /^signingAlg:/],
    [{ redirectUris: [] }, /^redirectUris:/],
    [{ redirectUris: ["/callback"] }, /^redirectUris:/],
  ])("%o is refused, naming the option", async (options, message) => {
    await expect(startDevIdp(options)).rejects.toThrow(message);
  });

  test("a users file is validated field by field", () => {
    expect(() => parseUsers({})).toThrow(/expected a JSON array/);
    expect(() => parseUsers([{ id: "usr_a", email: "a@x", password: "p", name: "A" }])).toThrow(/users\[0\]\.organizations/);
    expect(() =>
      parseUsers([{ id: "usr_a", email: "a@x", password: "p", name: "A", organizations: [{ id: "org_x", title: null, scopes: "all", joined_at: 1 }] }]),
    ).toThrow(/users\[0\]\.organizations\[0\]\.scopes/);
    const user = { id: "usr_a", email: "a@x", password: "p", name: "A", organizations: [] };
    expect(() => parseUsers([user, user])).toThrow(/users\[1\]\.id: duplicate/);
    expect(parseUsers([user])).toEqual([user]);
  });
});
