import { AuthPIClient } from "@authpi/core";
import { AuthPIProvider, RequireAccess, useAgent, useAuthPI } from "@authpi/react";
import { StrictMode, useEffect, useState, type MouseEvent, type ReactNode } from "react";
import { createRoot } from "react-dom/client";

// One client per app, at module scope. The dev IdP by default (see README.md).
const client = new AuthPIClient({
  issuerUrl: import.meta.env.VITE_AUTHPI_ISSUER || "http://127.0.0.1:4000/i_dev",
  clientId: "cli_dev_demo",
  redirectUri: `${location.origin}/callback`,
  postLogoutRedirectUri: `${location.origin}/`,
});

// Routing by hand: the path in state, re-read on `popstate`. Back and Forward fire it, our links
// fire it, and so does the provider's default onRedirectCallback once a login is complete.
function usePathname(): string {
  const [pathname, setPathname] = useState(location.pathname);
  useEffect(() => {
    const onPopState = () => setPathname(location.pathname);
    addEventListener("popstate", onPopState);
    return () => removeEventListener("popstate", onPopState);
  }, []);
  return pathname;
}

function navigate(to: string): void {
  history.pushState(null, "", to);
  dispatchEvent(new PopStateEvent("popstate"));
}

function Link({ to, children }: { to: string; children: ReactNode }) {
  const follow = (event: MouseEvent) => {
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={follow}>
      {children}
    </a>
  );
}

function Header() {
  const { status, agent, login, logout } = useAuthPI();
  return (
    <nav>
      <Link to="/">Home</Link> · <Link to="/projects">Projects</Link> · <Link to="/admin">Admin</Link> ·{" "}
      <span data-testid="status">{status}</span>{" "}
      {agent ? <button onClick={() => logout()}>Sign out {agent.email}</button> : <button onClick={() => login()}>Sign in</button>}
    </nav>
  );
}

function Projects() {
  const agent = useAgent();
  const orgs = agent?.organizations.filter((org) => agent.hasAccessIn(org.id, "read", "projects")) ?? [];
  return (
    <ul data-testid="projects" data-email={agent?.email}>
      {orgs.flatMap((org) => ["Apollo", "Borealis"].map((name) => <li key={`${org.id}-${name}`}>{`${org.title ?? org.id}: ${name}`}</li>))}
    </ul>
  );
}

function Admin() {
  const agent = useAgent();
  return (
    <p data-testid="admin" data-email={agent?.email}>
      Acme admin. Your scopes there: {agent?.getScopesFor("org_acme").join(", ")}
    </p>
  );
}

const forbidden = <p data-testid="forbidden">403: you may not see this page.</p>;
const loading = <p>Loading…</p>;

// The redirect URI: shown while the code is exchanged, and if the login failed (the provider calls
// onRedirectCallback on success only).
function Callback() {
  const { error, login } = useAuthPI();
  if (!error) return <p>Signing you in…</p>;
  return (
    <p role="alert" data-testid="auth-error">
      Sign-in did not complete. <button onClick={() => login({ returnTo: "/" })}>Try again</button>
    </p>
  );
}

function Page({ pathname }: { pathname: string }) {
  switch (pathname) {
    case "/":
      return <p>React without a router. Open Projects or Admin.</p>;
    case "/callback":
      return <Callback />;
    case "/projects":
      // Signed out, the guard starts the login, which comes back here.
      return (
        <RequireAccess action="read" resource="projects" loading={loading} fallback={forbidden}>
          <Projects />
        </RequireAccess>
      );
    case "/admin":
      return (
        <RequireAccess org="org_acme" role="admin" loading={loading} fallback={forbidden}>
          <Admin />
        </RequireAccess>
      );
    default:
      return <p>Not found.</p>;
  }
}

function App() {
  const pathname = usePathname();
  return (
    <>
      <Header />
      <Page pathname={pathname} />
    </>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <AuthPIProvider client={client}>
      <App />
    </AuthPIProvider>
  </StrictMode>,
);
