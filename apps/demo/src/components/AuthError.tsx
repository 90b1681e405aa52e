import { explainAuthError, useAuthPI } from "@authpi/react";
import { useState } from "react";
import { Link } from "react-router";
import { AlertIcon } from "./Icons";

function codeOf(error: Error): string {
  return "error" in error && typeof error.error === "string" ? error.error : "unexpected_error";
}

/**
 * A failed login, explained. Nothing here starts a login by itself: only the
 * "Try again" button does, so an IdP that keeps refusing cannot cause a loop.
 */
export function AuthError({ error, returnTo }: { error: Error; returnTo?: string }) {
  const { login } = useAuthPI();
  // Retrying this error: a login that cannot start brings a new error, which ends it (login() does not reject).
  const [retried, setRetried] = useState<Error | null>(null);
  const retrying = retried === error;
  const code = codeOf(error);
  // The IdP's own words only, never the SDK's (`request to http://…/token failed`). They come from the
  // redirect URL, which anyone can craft: rendered as text, never as HTML.
  const { title, hint, idpMessage } = explainAuthError(error);

  const retry = () => {
    setRetried(error);
    void login(returnTo === undefined ? undefined : { returnTo });
  };

  return (
    <section className="card auth-error" role="alert" data-testid="auth-error" data-error-code={code} aria-labelledby="auth-error-title">
      <span className="notice-icon danger">
        <AlertIcon />
      </span>
      <div>
        <h1 id="auth-error-title">{title}</h1>
        <p>{hint}</p>
        {idpMessage !== null && (
          <p className="auth-error-description">
            <span className="label">Message from the identity provider</span>
            <span>{idpMessage}</span>
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
