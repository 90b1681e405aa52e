// Type tests, checked by `pnpm typecheck` (the first step of `pnpm test`): an incomplete access
// rule must not compile, and every correct form must. Each `@ts-expect-error` fails the check when
// its line compiles. Nothing here runs: the functions are never called.
import type { AuthenticatedAgent, AuthPIClient } from "@authpi/core";
import { expectTypeOf } from "vitest";
import { RequireAccess, requireAccess, useAccess, useActiveAccess, type AccessRule } from "../src/index.js";

declare const client: AuthPIClient;
declare const request: Request;
declare const flag: boolean;
declare const someAction: string;

export function refusedHooks() {
  // @ts-expect-error -- the resource is forgotten: read as action "org_acme" on resource "write"
  useAccess("org_acme", "write");
  // @ts-expect-error -- the same, in the active organization
  useActiveAccess("org_acme", "write");
  // @ts-expect-error -- an action alone is no scope check
  useAccess("write");
}

export function refusedGuards() {
  return (
    <>
      {/* @ts-expect-error -- role needs org or activeOrg */}
      <RequireAccess role="admin">x</RequireAccess>
      {/* @ts-expect-error -- action needs resource */}
      <RequireAccess action="write">x</RequireAccess>
      {/* @ts-expect-error -- resource needs action */}
      <RequireAccess org="org_acme" resource="projects">x</RequireAccess>
      {/* @ts-expect-error -- org and activeOrg exclude each other */}
      <RequireAccess activeOrg org="org_acme">x</RequireAccess>
      {/* @ts-expect-error -- not a role */}
      <RequireAccess org="org_acme" role="superuser">x</RequireAccess>
    </>
  );
}

export async function refusedLoaders() {
  // @ts-expect-error -- role needs org or activeOrg
  await requireAccess(client, { role: "admin" }, { request });
  // @ts-expect-error -- action needs resource
  await requireAccess(client, { action: "write" });
  // @ts-expect-error -- org and activeOrg exclude each other
  await requireAccess(client, { org: "org_acme", activeOrg: true });
  // @ts-expect-error -- a rule variable is checked too
  const rule: AccessRule = { role: "owner" };
  return rule;
}

export function acceptedHooks() {
  expectTypeOf(useAccess("write", "projects")).toBeBoolean();
  expectTypeOf(useAccess("org_acme", "write", "projects")).toBeBoolean();
  expectTypeOf(useAccess(someAction, "projects")).toBeBoolean();
  expectTypeOf(useActiveAccess("write", "projects")).toBeBoolean();
}

export function acceptedGuards() {
  return (
    <>
      <RequireAccess>signed in</RequireAccess>
      <RequireAccess org="org_acme">member</RequireAccess>
      <RequireAccess org="org_acme" role="admin" fallback="no">admin</RequireAccess>
      <RequireAccess org="org_acme" action="write" resource="projects" loading="…">writer</RequireAccess>
      <RequireAccess action="read" resource="projects">reader anywhere</RequireAccess>
      <RequireAccess activeOrg>an active org</RequireAccess>
      <RequireAccess activeOrg role="owner" noActiveOrg="pick one">owner here</RequireAccess>
      <RequireAccess activeOrg action="read" resource="projects" error={(error) => error.message}>
        reader here
      </RequireAccess>
      <RequireAccess activeOrg={flag} action="read" resource="projects">
        either
      </RequireAccess>
    </>
  );
}

export async function acceptedLoaders() {
  expectTypeOf(await requireAccess(client)).toEqualTypeOf<AuthenticatedAgent>();
  await requireAccess(client, {});
  await requireAccess(client, { org: "org_acme", role: "admin" }, { request });
  await requireAccess(client, { action: "read", resource: "projects" }, { returnTo: "/projects" });
  await requireAccess(client, { activeOrg: true, action: "write", resource: "projects" });
  const rules: AccessRule[] = [{ org: "org_acme" }, { activeOrg: true, role: "member" }, { org: "org_b", role: "admin", action: "write", resource: "billing" }];
  return rules;
}
