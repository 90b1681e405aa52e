import { useAuthPI } from "@authpi/react";
import { Link } from "react-router";
import { AuthError } from "../components/AuthError";
import { PageLoading } from "../components/PageLoading";
import { usePageTitle } from "../hooks/usePageTitle";

/**
 * The redirect URI. The provider completes the login and then navigates to
 * where it started, so this page only has to cover the wait and the failures.
 */
export function CallbackPage() {
  const { status, error } = useAuthPI();
  usePageTitle(status === "error" ? "Sign-in failed" : "Signing in");

  if (status === "error" && error) return <AuthError error={error} returnTo="/dashboard" />;
  if (status === "loading") return <PageLoading label="Signing you in…" />;
  // Reached by hand, or for the instant between the session and the navigation.
  return (
    <section className="card narrow" aria-labelledby="callback-title">
      <h1 id="callback-title">{status === "authenticated" ? "You are signed in" : "Nothing to complete here"}</h1>
      <p className="muted">This address receives sign-in responses from the identity provider.</p>
      <Link to={status === "authenticated" ? "/dashboard" : "/"} className="button primary">
        {status === "authenticated" ? "Go to your dashboard" : "Back home"}
      </Link>
    </section>
  );
}
