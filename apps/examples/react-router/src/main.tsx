import { AuthPIClient, InsufficientScopeError, LoginRequiredError } from "@authpi/core";
import { AuthPIProvider, explainAuthError, requireAccess, useAuthPI, type AccessRule } from "@authpi/react";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter, Link, Outlet, RouterProvider, useLoaderData, useRouteError, type LoaderFunctionArgs } from "react-router";

// One client per app, at module scope. The dev IdP by default (see README.md).
const client = new AuthPIClient({
  issuerUrl: import.meta.env.VITE_AUTHPI_ISSUER || "http://127.0.0.1:4000/i_dev",
  clientId: "cli_dev_demo",
  redirectUri: `${location.origin}/callback`,
  postLogoutRedirectUri: `${location.origin}/`,
});

// A loader runs before the URL changes on a client-side navigation: the login must come back to
// the request's URL, not to `location`'s.
const gate = (request: Request, rule: AccessRule) => requireAccess(client, rule, { request });

async function projectsLoader({ request }: LoaderFunctionArgs) {
  const agent = await gate(request, { action: "read", resource: "projects" });
  const orgs = agent.organizations.filter((org) => agent.hasAccessIn(org.id, "read", "projects"));
  return { email: agent.email, projects: orgs.flatMap((org) => [`${org.title ?? org.id}: Apollo`, `${org.title ?? org.id}: Borealis`]) };
}

async function adminLoader({ request }: LoaderFunctionArgs) {
  const agent = await gate(request, { org: "org_acme", role: "admin" });
  return { email: agent.email, scopes: agent.getScopesFor("org_acme") };
}

function Layout() {
  const { status, agent, login, logout } = useAuthPI();
  return (
    <>
      <nav>
        <Link to="/">Home</Link> · <Link to="/projects">Projects</Link> · <Link to="/admin">Admin</Link> ·{" "}
        <span data-testid="status">{status}</span>{" "}
        {agent ? <button onClick={() => logout()}>Sign out {agent.email}</button> : <button onClick={() => login()}>Sign in</button>}
      </nav>
      <Outlet />
    </>
  );
}

function Projects() {
  const { email, projects } = useLoaderData<typeof projectsLoader>();
  return (
    <ul data-testid="projects" data-email={email}>
      {projects.map((name) => <li key={name}>{name}</li>)}
    </ul>
  );
}

function Admin() {
  const { email, scopes } = useLoaderData<typeof adminLoader>();
  return <p data-testid="admin" data-email={email}>Acme admin. Your scopes there: {scopes.join(", ")}</p>;
}

// The loaders' rejections: a denial is the 403 page; signed out, the login has already started.
function RouteError() {
  const error = useRouteError();
  if (error instanceof InsufficientScopeError) return <p data-testid="forbidden">403: you may not see this page.</p>;
  if (error instanceof LoginRequiredError) return <p>Redirecting to sign in…</p>;
  return <p role="alert">{error instanceof Error ? explainAuthError(error).title : "Something went wrong."}</p>;
}

// The redirect URI: the provider completes the login and calls onRedirectCallback.
function Callback() {
  const { error, login } = useAuthPI();
  if (!error) return <p>Signing you in…</p>;
  return (
    <p role="alert" data-testid="auth-error">
      {explainAuthError(error).title} <button onClick={() => login({ returnTo: "/" })}>Try again</button>
    </p>
  );
}

const router = createBrowserRouter([
  {
    element: <Layout />,
    hydrateFallbackElement: <p>Loading…</p>,
    children: [
      { path: "/", element: <p>React Router example. Open Projects or Admin.</p> },
      { path: "/projects", loader: projectsLoader, element: <Projects />, errorElement: <RouteError /> },
      { path: "/admin", loader: adminLoader, element: <Admin />, errorElement: <RouteError /> },
      { path: "/callback", element: <Callback /> },
    ],
  },
]);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <AuthPIProvider client={client} onRedirectCallback={(returnTo) => void router.navigate(returnTo, { replace: true })}>
      <RouterProvider router={router} />
    </AuthPIProvider>
  </StrictMode>,
);
