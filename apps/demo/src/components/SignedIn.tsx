import { RequireAccess, useAuthPI } from "@authpi/react";
import { useEffect, useState } from "react";
import { Outlet } from "react-router";
import { AuthError } from "./AuthError";
import { PageLoading } from "./PageLoading";
import { SessionEnded } from "./SessionEnded";

/**
 * The gate of every signed-in page. Signed out, `<RequireAccess>` starts the
 * login and comes back to this exact URL; after a failed login it renders the
 * error instead, so a blocked user is never bounced back to the IdP in a loop.
 *
 * A session that ends while a page is open (sign-out here or in another tab,
 * a refused refresh) gets a notice instead of a new login: a background tab
 * should not jump to the sign-in page, and our own sign-out must not race a
 * login against its redirect to the IdP.
 */
export function SignedIn() {
  const { status } = useAuthPI();
  const [hadSession, setHadSession] = useState(status === "authenticated");
  useEffect(() => {
    if (status === "authenticated") setHadSession(true);
  }, [status]);

  return (
    <RequireAccess
      loading={<PageLoading label="Checking your session…" />}
      error={(error) => <AuthError error={error} />}
      unauthenticated={hadSession ? <SessionEnded /> : undefined}
    >
      <Outlet />
    </RequireAccess>
  );
}
