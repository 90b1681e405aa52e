import { useAuthPI } from "@authpi/react";
import { Link } from "react-router";
import { testUsers } from "../data/test-users";
import { usePageTitle } from "../hooks/usePageTitle";

const snippet = `const { activeOrg, setActiveOrg } = useActiveOrg();
const canEdit = useActiveAccess("write", "projects");

<RequireAccess
  activeOrg
  role="admin"
  noActiveOrg={<PickOrg />}
  fallback={<NoAccess />}
>
  <AdminPanel />
</RequireAccess>`;

export function HomePage() {
  usePageTitle("Welcome");
  const { isAuthenticated, login } = useAuthPI();
  return (
    <div className="stack-lg">
      <section className="hero" aria-labelledby="hero-title">
        <p className="eyebrow">AuthPI React kit · live demo</p>
        <h1 id="hero-title">Sign-in and permissions for React apps, without the plumbing.</h1>
        <p className="lead">
          Launchpad is a small project tracker built on <code>@authpi/react</code>. It signs you in with AuthPI, keeps your session
          alive across reloads and tabs, and shows or hides every action from your organization scopes.
        </p>
        <div className="actions">
          {isAuthenticated ? (
            <Link to="/dashboard" className="button primary large">
              Go to your dashboard
            </Link>
          ) : (
            <>
              <button type="button" className="button primary large" onClick={() => void login({ returnTo: "/dashboard" })}>
                Sign in to try it
              </button>
              {/* A token for Acme only: the IdP narrows the organizations claim to it. */}
              <button
                type="button"
                className="button secondary large"
                data-testid="login-acme-only"
                onClick={() => void login({ org: "org_acme", returnTo: "/projects" })}
              >
                Sign in to Acme only
              </button>
            </>
          )}
          <a href="#test-users" className="button secondary large">
            Pick a test user
          </a>
        </div>
      </section>

      <section className="features" aria-label="What the kit does">
        <article className="card feature">
          <h2>Redirect sign-in, done right</h2>
          <p>Authorization code with PKCE, verified ID tokens, and you land back on the page you asked for.</p>
        </article>
        <article className="card feature">
          <h2>Sessions that hold</h2>
          <p>Restored on reload with no signed-out flash, refreshed in the background, kept in step across duplicated tabs, ended in every tab at once.</p>
        </article>
        <article className="card feature">
          <h2>Organization scopes</h2>
          <p>
            <code>useActiveAccess</code> and <code>&lt;RequireAccess activeOrg&gt;</code> read AuthPI scopes like <code>projects:**</code> in
            the organization picked in this tab. Signed in to one organization only, switching signs in again, silently.
          </p>
        </article>
      </section>

      <section className="split">
        <div className="card" id="test-users" aria-labelledby="test-users-title">
          <h2 id="test-users-title">Test users</h2>
          <p className="muted">
            The local dev IdP has one user per situation. On its sign-in page each is a button; the password is <code>authpi</code>.
          </p>
          <ul className="user-list">
            {testUsers.map((user) => (
              <li key={user.email}>
                <span className="user-list-head">
                  <strong>{user.name}</strong> <code>{user.email}</code>
                </span>
                <span className="muted">{user.shows}</span>
              </li>
            ))}
          </ul>
        </div>
        <div className="card" aria-labelledby="code-title">
          <h2 id="code-title">In your code</h2>
          <p className="muted">The checks behind this app&apos;s buttons and pages:</p>
          <pre className="code">
            <code>{snippet}</code>
          </pre>
        </div>
      </section>
    </div>
  );
}
