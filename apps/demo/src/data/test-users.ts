/** The dev IdP's seeded users (packages/dev-idp/src/users.ts) and what each one shows off here. */
export const testUsers = [
  { name: "Olivia Owner", email: "olivia@acme.test", shows: "Owner of Acme: creates, edits and deletes projects. No admin page: owner does not imply admin." },
  { name: "Max Member", email: "max@acme.test", shows: "Reads Acme's projects; the edit and delete buttons are not there." },
  { name: "Tara Two-Orgs", email: "tara@example.test", shows: "Admin of Acme with read-only projects, full access at Globex: try the organization switcher." },
  { name: "Sam Super", email: "sam@example.test", shows: "Holds *:** at Acme: every action, yet no admin page, because wildcards never grant a role." },
  { name: "Nora Nobody", email: "nora@example.test", shows: "Signs in but belongs to no organization: every page says so." },
  { name: "Bob Blocked", email: "bob@example.test", shows: "Blocked: the sign-in ends on a clear error, without bouncing back to the IdP." },
] as const;
