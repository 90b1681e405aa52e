import { accessVerdict, checkAccessRule, type AccessRule } from "@authpi/core";
import { useEffect, useRef, type ReactNode } from "react";
import { explainAuthError } from "./error-text.js";
import { useAuthPIStore, useAuthSelector } from "./store.js";

export type { OrgRole } from "@authpi/core";

/** What the guard renders in each state; the rule itself is `AccessRule`, shared with `requireAccess()`. */
export interface RequireAccessViews {
  /** With `activeOrg`, when there is none (an org picker, say). Default: `fallback`. */
  noActiveOrg?: ReactNode;
  /** Signed in but not allowed. Default: nothing. */
  fallback?: ReactNode;
  /** While the session is being restored, or while leaving for the login page. Default: nothing. */
  loading?: ReactNode;
  /** Signed out. Default: start the login, returning to the current location. */
  unauthenticated?: ReactNode;
  /**
   * The session ended while this guard was showing it (a refresh the IdP
   * refused, a logout in another tab). Default: a "You are signed out" status
   * with a button to sign in again. Never a navigation on its own: the tab
   * may be in the background, and the user did not ask to leave.
   */
  signedOut?: ReactNode;
  /** The session failed (the IdP answered `access_denied`, `user_blocked`, …). Default: an alert saying so in a sentence (`explainAuthError`). */
  error?: ((error: Error) => ReactNode) | undefined;
  children?: ReactNode;
}

/** The rule (`org` or `activeOrg`, `action` + `resource`, `role`) and the views. */
export type RequireAccessProps = AccessRule & RequireAccessViews;

function SignedOut({ signIn }: { signIn: () => void }) {
  return (
    <div role="status">
      You are signed out.{" "}
      <button type="button" onClick={signIn}>
        Sign in again
      </button>
    </div>
  );
}

function ErrorAlert({ error }: { error: Error }) {
  const { title, hint, idpMessage } = explainAuthError(error);
  // Text only: the IdP's message comes from the redirect URL, which anyone can craft.
  return (
    <div role="alert">
      {title} {hint}
      {idpMessage === null ? null : ` The sign-in service said: “${idpMessage}”`}
    </div>
  );
}

const defaultError = (error: Error) => <ErrorAlert error={error} />;

/**
 * Renders its children only for an agent the rule allows. Signed out, it
 * starts the login once; after a failed login (status `error`) it shows the
 * error instead of starting another, which would loop through the IdP. A
 * session that ends under it shows `signedOut` instead of leaving the page.
 */
export function RequireAccess({ fallback = null, loading = null, unauthenticated, signedOut, noActiveOrg, error: renderError = defaultError, children, ...rule }: RequireAccessProps) {
  checkAccessRule(rule, "<RequireAccess>");
  const store = useAuthPIStore("<RequireAccess>");
  const verdict = useAuthSelector("<RequireAccess>", (snapshot) => accessVerdict(snapshot, rule));
  const sessionError = useAuthSelector("<RequireAccess>", (snapshot) => snapshot.error);
  // Whether this guard has shown a session: UI memory of what the user saw, not session state.
  const sawSession = useRef(false);
  const ended = verdict === "signed-out" && sawSession.current;
  const shouldLogin = verdict === "signed-out" && unauthenticated === undefined && !ended;
  useEffect(() => {
    if (verdict === "allowed" || verdict === "denied" || verdict === "no-active-org") sawSession.current = true;
  }, [verdict]);
  const signIn = () => {
    const { pathname, search, hash } = window.location;
    store.loginWithRedirect({ returnTo: `${pathname}${search}${hash}` }).catch(() => undefined);
  };

  useEffect(() => {
    // The client runs one login at a time (StrictMode's second effect and nested guards join it);
    // a failed start becomes the snapshot's `error`, rendered below, and never starts another.
    if (shouldLogin) signIn();
  }, [shouldLogin, store]);

  switch (verdict) {
    case "allowed":
      return <>{children}</>;
    case "denied":
      return <>{fallback}</>;
    case "no-active-org":
      return <>{noActiveOrg === undefined ? fallback : noActiveOrg}</>;
    case "loading":
      return <>{loading}</>;
    case "error":
      return <>{renderError(sessionError ?? new Error("authentication failed"))}</>;
    case "signed-out":
      if (unauthenticated !== undefined) return <>{unauthenticated}</>;
      if (ended) return <>{signedOut === undefined ? <SignedOut signIn={signIn} /> : signedOut}</>;
      return <>{loading}</>;
  }
}
