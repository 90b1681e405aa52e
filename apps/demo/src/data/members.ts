export interface Member {
  readonly name: string;
  readonly email: string;
  readonly role: "Owner" | "Admin" | "Member";
  readonly blocked?: boolean;
}

/** Sample data for the admin page, after the dev IdP's seeded users. */
export const membersByOrg: ReadonlyMap<string, readonly Member[]> = new Map([
  [
    "org_acme",
    [
      { name: "Olivia Owner", email: "olivia@acme.test", role: "Owner" },
      { name: "Tara Two-Orgs", email: "tara@example.test", role: "Admin" },
      { name: "Max Member", email: "max@acme.test", role: "Member" },
      { name: "Sam Super", email: "sam@example.test", role: "Member" },
      { name: "Bob Blocked", email: "bob@example.test", role: "Member", blocked: true },
    ],
  ],
  ["org_globex", [{ name: "Tara Two-Orgs", email: "tara@example.test", role: "Member" }]],
]);
