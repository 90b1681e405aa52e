import { RequireAccess } from "@authpi/react";
import { Outlet } from "react-router";
import { AuthError } from "./AuthError";
import { PageLoading } from "./PageLoading";

/**
 * The gate of every signed-in page. Signed out, `<RequireAccess>` starts the
 * login and comes back to this exact URL; after a failed login it renders the
 * error instead, so a blocked user is never bounced back to the IdP in a loop.
 */
export function SignedIn() {
  return (
    <RequireAccess loading={<PageLoading label="Checking your session…" />} error={(error) => <AuthError error={error} />}>
      <Outlet />
    </RequireAccess>
  );
}
