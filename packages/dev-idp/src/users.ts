/** A person who can sign in at the dev IdP, with the AuthPI `organizations` claim they carry. */
export interface DevIdpUser {
  /** The subject, `usr_…` like AuthPI's user ids. */
  id: string;
  email: string;
  password: string;
  name: string;
  /** Default true. */
  emailVerified?: boolean;
  /** A blocked user's login ends with `error=user_blocked` on the redirect, and refreshes fail. */
  blocked?: boolean;
  organizations: Array<{ id: string; title: string | null; scopes: string[]; joined_at: number }>;
}

const PASSWORD = "authpi";
const ACME = { id: "org_acme", title: "Acme Inc." };
const GLOBEX = { id: "org_globex", title: "Globex" };

/**
 * One user per shape the kit must handle: owner, plain member, two organizations, wildcard
 * without role scopes, no organization, blocked. The demo and the tests depend on these exact
 * ids, emails and scopes.
 */
export const seededUsers: readonly DevIdpUser[] = Object.freeze([
  {
    id: "usr_olivia",
    email: "olivia@acme.test",
    password: PASSWORD,
    name: "Olivia Owner",
    organizations: [{ ...ACME, scopes: ["owner", "projects:**", "users:read"], joined_at: 1704067200 }],
  },
  {
    id: "usr_max",
    email: "max@acme.test",
    password: PASSWORD,
    name: "Max Member",
    organizations: [{ ...ACME, scopes: ["projects:read"], joined_at: 1709251200 }],
  },
  {
    id: "usr_tara",
    email: "tara@example.test",
    password: PASSWORD,
    name: "Tara Two-Orgs",
    organizations: [
      { ...ACME, scopes: ["admin", "users:*", "projects:read"], joined_at: 1711929600 },
      { ...GLOBEX, scopes: ["projects:**"], joined_at: 1714521600 },
    ],
  },
  {
    id: "usr_sam",
    email: "sam@example.test",
    password: PASSWORD,
    name: "Sam Super",
    organizations: [{ ...ACME, scopes: ["*:**"], joined_at: 1717200000 }],
  },
  {
    id: "usr_nora",
    email: "nora@example.test",
    password: PASSWORD,
    name: "Nora Nobody",
    organizations: [],
  },
  {
    id: "usr_bob",
    email: "bob@example.test",
    password: PASSWORD,
    name: "Bob Blocked",
    blocked: true,
    organizations: [{ ...ACME, scopes: ["projects:read"], joined_at: 1719792000 }],
  },
]);

/**
 * The claims AuthPI issues for a user; the provider masks them by the granted scopes. A login
 * restricted to `org` (AuthPI's selected-organization login) sees that one membership only.
 */
export function userClaims(user: DevIdpUser, org?: string) {
  return {
    sub: user.id,
    name: user.name,
    email: user.email,
    email_verified: user.emailVerified ?? true,
    organizations: org === undefined ? user.organizations : user.organizations.filter((membership) => membership.id === org),
  };
}

/** Validates a users file (`--users users.json`): a JSON array of {@link DevIdpUser}. */
export function parseUsers(json: unknown): DevIdpUser[] {
  if (!Array.isArray(json)) throw new TypeError("users: expected a JSON array of users");
  const ids = new Set<string>();
  return json.map((entry: unknown, i) => {
    const at = `users[${i}]`;
    if (typeof entry !== "object" || entry === null) throw new TypeError(`${at}: expected an object`);
    const user = entry as Record<string, unknown>;
    for (const key of ["id", "email", "password", "name"]) {
      if (typeof user[key] !== "string" || user[key] === "") {
        throw new TypeError(`${at}.${key}: expected a non-empty string`);
      }
    }
    for (const key of ["emailVerified", "blocked"]) {
      if (user[key] !== undefined && typeof user[key] !== "boolean") {
        throw new TypeError(`${at}.${key}: expected a boolean`);
      }
    }
    if (ids.has(user["id"] as string)) throw new TypeError(`${at}.id: duplicate id ${String(user["id"])}`);
    ids.add(user["id"] as string);
    if (!Array.isArray(user["organizations"])) throw new TypeError(`${at}.organizations: expected an array`);
    user["organizations"].forEach((org: unknown, j) => checkOrganization(org, `${at}.organizations[${j}]`));
    return user as unknown as DevIdpUser;
  });
}

function checkOrganization(entry: unknown, at: string): void {
  if (typeof entry !== "object" || entry === null) throw new TypeError(`${at}: expected an object`);
  const org = entry as Record<string, unknown>;
  if (typeof org["id"] !== "string" || org["id"] === "") throw new TypeError(`${at}.id: expected a non-empty string`);
  if (org["title"] !== null && typeof org["title"] !== "string") throw new TypeError(`${at}.title: expected a string or null`);
  if (!Array.isArray(org["scopes"]) || !org["scopes"].every((s) => typeof s === "string")) {
    throw new TypeError(`${at}.scopes: expected an array of strings`);
  }
  if (!Number.isInteger(org["joined_at"])) throw new TypeError(`${at}.joined_at: expected unix seconds`);
}
