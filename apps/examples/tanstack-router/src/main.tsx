import { AuthPIClient, InsufficientScopeError, LoginRequiredError } from "@authpi/core";
import { AuthPIProvider, explainAuthError, requireAccess, useAuthPI, type AccessRule } from "@authpi/react";
import { createRootRouteWithContext, createRoute, createRouter, Link, Outlet, redirect, RouterProvider, type ErrorComponentProps, type ParsedLocation } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

// One client per app, at module scope. The dev IdP by default (see README.md).
const client = new AuthPIClient({
  issuerUrl: import.meta.env.VITE_AUTHPI_ISSUER || "http://127.0.0.1:4000/i_dev",
  clientId: "cli_dev_demo",
  redirectUri: `${location.origin}/callback`,
  postLogoutRedirectUri: `${location.origin}/`,
});

// The client reaches every route through the router context.
const rootRoute = createRootRouteWithContext<{ client: AuthPIClient }>()({
  component: function Layout() {
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
  },
});

// TanStack Router logs every error that reaches an errorComponent, and neither expected outcome
// is one: a denial redirects to the 403 route, and signed out, the browser is already leaving for
// the IdP (requireAccess started the login), so the route just stays pending.
async function gate(client: AuthPIClient, rule: AccessRule, location: ParsedLocation) {
  try {
    return await requireAccess(client, rule, { returnTo: location.href });
  } catch (error) {
    if (error instanceof InsufficientScopeError) throw redirect({ to: "/forbidden", replace: true });
    if (error instanceof LoginRequiredError) return new Promise<never>(() => {});
    throw error;
  }
}

// Anything else, e.g. the login failed (`access_denied`): shown, and no new login.
function RouteError({ error }: ErrorComponentProps) {
  return <p role="alert">{error instanceof Error ? explainAuthError(error).title : "Something went wrong."}</p>;
}

const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/",
  component: () => <p>TanStack Router example. Open Projects or Admin.</p>,
});

// beforeLoad gates (its result joins the context), the loader reads what it let through.
const projectsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/projects",
  beforeLoad: async ({ context, location }) => ({ agent: await gate(context.client, { action: "read", resource: "projects" }, location) }),
  loader: ({ context: { agent } }) => ({
    email: agent.email,
    projects: agent.organizations
      .filter((org) => agent.hasAccessIn(org.id, "read", "projects"))
      .flatMap((org) => [`${org.title ?? org.id}: Apollo`, `${org.title ?? org.id}: Borealis`]),
  }),
  errorComponent: RouteError,
  component: function Projects() {
    const { email, projects } = projectsRoute.useLoaderData();
    return (
      <ul data-testid="projects" data-email={email}>
        {projects.map((name) => <li key={name}>{name}</li>)}
      </ul>
    );
  },
});

const adminRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/admin",
  beforeLoad: async ({ context, location }) => ({ agent: await gate(context.client, { org: "org_acme", role: "admin" }, location) }),
  loader: ({ context: { agent } }) => ({ email: agent.email, scopes: agent.getScopesFor("org_acme") }),
  errorComponent: RouteError,
  component: function Admin() {
    const { email, scopes } = adminRoute.useLoaderData();
    return <p data-testid="admin" data-email={email}>Acme admin. Your scopes there: {scopes.join(", ")}</p>;
  },
});

const forbiddenRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/forbidden",
  component: () => <p data-testid="forbidden">403: you may not see that page.</p>,
});

// The redirect URI: the provider completes the login and calls onRedirectCallback.
const callbackRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/callback",
  component: function Callback() {
    const { error, login } = useAuthPI();
    if (!error) return <p>Signing you in…</p>;
    return (
      <p role="alert" data-testid="auth-error">
        {explainAuthError(error).title} <button onClick={() => login({ returnTo: "/" })}>Try again</button>
      </p>
    );
  },
});

const router = createRouter({
  routeTree: rootRoute.addChildren([indexRoute, projectsRoute, adminRoute, forbiddenRoute, callbackRoute]),
  defaultPendingComponent: () => <p>Loading…</p>,
  context: { client },
});

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <AuthPIProvider client={client} onRedirectCallback={(returnTo) => router.history.replace(returnTo)}>
      <RouterProvider router={router} />
    </AuthPIProvider>
  </StrictMode>,
);
