import { useAuthPI } from "@authpi/react";
import { Link } from "react-router";
import { LockIcon } from "./Icons";

/** The session of this page ended: signed out here or in another tab, or a refresh was refused. */
export function SessionEnded() {
  const { error, login } = useAuthPI();
  return (
    <section className="card notice narrow" data-testid="session-ended" aria-labelledby="session-ended-title">
      <span className="notice-icon">
        <LockIcon />
      </span>
      <div>
        <h1 id="session-ended-title">You are signed out</h1>
        <p>
          {error
            ? "Your session could not be renewed, so it has ended."
            : "You signed out, in this tab or in another one. Signing out ends the session in every tab."}
        </p>
        {error && (
          <p className="auth-error-code">
            Error code <code>{error.error}</code>
          </p>
        )}
        <div className="actions">
          <button type="button" className="button primary" onClick={() => void login()}>
            Sign in again
          </button>
          <Link to="/" className="button secondary">
            Back home
          </Link>
        </div>
      </div>
    </section>
  );
}
