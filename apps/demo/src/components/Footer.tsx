import { useAuthPI } from "@authpi/react";
import { clientId, issuerUrl } from "../config";

export function Footer() {
  const { status, stale } = useAuthPI();
  return (
    <footer className="footer">
      <div className="footer-inner">
        <p>
          Launchpad is a demo of the <strong>AuthPI React kit</strong>. Projects are sample data, kept in memory until the page reloads.
        </p>
        <dl className="footer-facts">
          <div>
            <dt>Session</dt>
            <dd>
              <span className={`status-dot status-${status}`} aria-hidden="true" />
              <span data-testid="status">{status}</span>
              {/* The token ran out and the IdP cannot be reached: the session is kept, retries go on. */}
              {stale && (
                <span className="muted" data-testid="stale">
                  {" "}
                  · offline, retrying
                </span>
              )}
            </dd>
          </div>
          <div>
            <dt>Issuer</dt>
            <dd>
              <code>{issuerUrl}</code>
            </dd>
          </div>
          <div>
            <dt>Client</dt>
            <dd>
              <code>{clientId}</code>
            </dd>
          </div>
        </dl>
      </div>
    </footer>
  );
}
