import { useAuthPI } from "@authpi/react";
import { useState } from "react";
import { Link } from "react-router";
import { AlertIcon } from "./Icons";

interface Explanation {
  title: string;
  hint: string;
}

const explanations: Record<string, Explanation> = {
  user_blocked: {
    title: "This account is blocked",
    hint: "The identity provider refused to sign this account in. Ask an administrator to unblock it, or sign in as someone else.",
  },
  access_denied: {
    title: "Sign-in was cancelled or refused",
    hint: "The sign-in was cancelled, or the identity provider did not allow it (signing in to an organization you are not a member of, say). You can start again whenever you are ready.",
  },
  state_mismatch: {
    title: "This sign-in can't be completed",
    hint: "The response did not match a sign-in started in this tab (it may have expired or been used already). Start a new one.",
  },
  no_pending_login: {
    title: "This sign-in can't be completed",
    hint: "No sign-in was started in this tab, or it has already been completed. Start a new one.",
  },
  network_error: {
    title: "Can't reach the sign-in service",
    hint: "Check your connection, and that the identity provider is running, then try again.",
  },
  discovery_error: {
    title: "Can't reach the sign-in service",
    hint: "The identity provider's configuration could not be loaded. Check that it is running, then try again.",
  },
};

const fallback: Explanation = {
  title: "Sign-in failed",
  hint: "Something went wrong while signing you in. Trying again usually helps.",
};

function codeOf(error: Error): string {
  return "error" in error && typeof error.error === "string" ? error.error : "unexpected_error";
}

function descriptionOf(error: Error): string | undefined {
  return "errorDescription" in error && typeof error.errorDescription === "string" ? error.errorDescription : undefined;
}

/**
 * A failed login, explained. Nothing here starts a login by itself: only the
 * "Try again" button does, so an IdP that keeps refusing cannot cause a loop.
 */
export function AuthError({ error, returnTo }: { error: Error; returnTo?: string }) {
  const { login } = useAuthPI();
  const [retrying, setRetrying] = useState(false);
  const code = codeOf(error);
  const { title, hint } = explanations[code] ?? fallback;
  // The description comes from the redirect URL, which anyone can craft: rendered as text, never as HTML.
  const description = descriptionOf(error);

  const retry = () => {
    setRetrying(true);
    login(returnTo === undefined ? undefined : { returnTo }).catch(() => setRetrying(false));
  };

  return (
    <section className="card auth-error" role="alert" data-testid="auth-error" data-error-code={code} aria-labelledby="auth-error-title">
      <span className="notice-icon danger">
        <AlertIcon />
      </span>
      <div>
        <h1 id="auth-error-title">{title}</h1>
        <p>{hint}</p>
        {description !== undefined && (
          <p className="auth-error-description">
            <span className="label">Message from the identity provider</span>
            <span>{description}</span>
          </p>
        )}
        <p className="auth-error-code">
          Error code <code>{code}</code>
        </p>
        <div className="actions">
          <button type="button" className="button primary" onClick={retry} disabled={retrying}>
            {retrying ? "Redirecting…" : "Try again"}
          </button>
          <Link to="/" className="button secondary">
            Back home
          </Link>
        </div>
      </div>
    </section>
  );
}
