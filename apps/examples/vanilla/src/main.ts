import { AuthPIClient, InsufficientScopeError, LoginRequiredError, requireAccess } from "@authpi/core";

// @authpi/core alone: no framework, the DOM updated by hand.
const client = new AuthPIClient({
  issuerUrl: import.meta.env.VITE_AUTHPI_ISSUER || "http://127.0.0.1:4000/i_dev",
  clientId: "cli_dev_demo",
  redirectUri: `${location.origin}/callback`,
  postLogoutRedirectUri: `${location.origin}/`,
});

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const page = $("#page");
const signIn = $<HTMLButtonElement>("#sign-in");
const signOut = $<HTMLButtonElement>("#sign-out");

// The header follows the session store.
function renderHeader(): void {
  const { status, agent } = client.getSnapshot();
  $("[data-testid=status]").textContent = status;
  signIn.hidden = agent !== null;
  signOut.hidden = agent === null;
  signOut.textContent = `Sign out ${agent?.email ?? ""}`;
}
client.subscribe(renderHeader);
renderHeader();
signIn.addEventListener("click", () => void client.loginWithRedirect());
signOut.addEventListener("click", () => void client.logout());

function show(html: string, testId?: string): void {
  page.innerHTML = "";
  const element = document.createElement(testId === "projects" ? "ul" : "p");
  if (testId) element.dataset.testid = testId;
  element.innerHTML = html;
  page.append(element);
}
const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

// The routes: each gated one asks requireAccess() first, and renders only what it let through.
const routes: Record<string, () => Promise<void>> = {
  "/": async () => show("Vanilla example: @authpi/core without a framework. Open Projects or Admin."),
  "/projects": async () => {
    const agent = await requireAccess(client, { action: "read", resource: "projects" });
    const orgs = agent.organizations.filter((org) => agent.hasAccessIn(org.id, "read", "projects"));
    show(orgs.flatMap((org) => ["Apollo", "Borealis"].map((p) => `<li>${escape(org.title ?? org.id)}: ${p}</li>`)).join(""), "projects");
    page.firstElementChild?.setAttribute("data-email", agent.email ?? "");
  },
  "/admin": async () => {
    const agent = await requireAccess(client, { org: "org_acme", role: "admin" });
    show(`Acme admin. Your scopes there: ${escape(agent.getScopesFor("org_acme").join(", "))}`, "admin");
    page.firstElementChild?.setAttribute("data-email", agent.email ?? "");
  },
};

async function route(): Promise<void> {
  const render = routes[location.pathname];
  if (!render) return show("Not found.");
  show("Loading…");
  try {
    await render();
  } catch (error) {
    if (error instanceof InsufficientScopeError) show("403: you may not see this page.", "forbidden");
    else if (error instanceof LoginRequiredError) show("Redirecting to sign in…");
    else show(escape(error instanceof Error ? error.message : String(error)), "auth-error");
  }
}

document.addEventListener("click", (event) => {
  const link = (event.target as Element).closest<HTMLAnchorElement>("a[data-link]");
  if (!link) return;
  event.preventDefault();
  history.pushState(null, "", link.href);
  void route();
});
addEventListener("popstate", () => void route());

// start() completes a redirect callback (once) and resolves to where the login started.
const callback = await client.start();
if (callback) history.replaceState(null, "", callback.returnTo);
if (location.pathname === "/callback") {
  const { error } = client.getSnapshot();
  show(escape(`Sign-in failed: ${error?.errorDescription ?? error?.error ?? "no login in progress"}`), "auth-error");
} else {
  await route();
}
