import { createHash } from "node:crypto";
import type { KoaContextWithOIDC } from "oidc-provider";
import type { SetupHelp } from "./setup-errors.js";
import type { DevIdpUser } from "./users.js";

/**
 * The dev IdP's HTML: self-contained pages (inline CSS, no fonts, scripts or images from
 * anywhere) because the login page opens on every demo run, offline included. oidc-provider's
 * default pages import Google Fonts, so the logout, signed-out and error pages are replaced too.
 */

/** Sent with every page: nothing but the inline styles may load. */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The login page's one script. A form post pushes a history entry, and after the sign-in that
 * entry is the finished interaction: Back from the app would land on "This sign-in attempt has
 * expired". So the forms post with fetch, the IdP answers where to go next, and the page leaves
 * with location.replace(), which leaves the login page out of the history. Without the script
 * (or if the fetch fails) the forms post as usual.
 */
const REPLACE_SCRIPT = `document.addEventListener("submit",function(e){var f=e.target;if(f.dataset.plain)return;e.preventDefault();
fetch(f.action,{method:"POST",body:new URLSearchParams(new FormData(f,e.submitter)),headers:{accept:"application/json"}})
.then(function(r){if(!r.ok)throw r;return r.json()}).then(function(b){location.replace(b.location)})
.catch(function(){f.dataset.plain="1";f.requestSubmit(e.submitter)})})`;

/** The login page's policy: {@link PAGE_CSP} plus that script, by its hash, and fetch to its own origin. */
export const LOGIN_PAGE_CSP = `${PAGE_CSP}; script-src 'sha256-${createHash("sha256").update(REPLACE_SCRIPT).digest("base64")}'; connect-src 'self'`;

/** Answers an oidc-provider request with one of these pages (the status is the caller's). */
export function html(ctx: KoaContextWithOIDC, body: string): void {
  ctx.type = "html";
  ctx.set("Content-Security-Policy", PAGE_CSP);
  ctx.body = body;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLES = `
:root{color-scheme:light dark;--bg:#f3f4f7;--card:#fff;--text:#16181d;--muted:#555b66;--line:#d5d8de;
--accent:#3548c8;--accent-text:#fff;--hover:#eef0fb;--danger:#a1161c;--danger-bg:#fdecec;--badge:#e6e8ee}
@media (prefers-color-scheme:dark){:root{--bg:#111318;--card:#1b1e25;--text:#eceef2;--muted:#a9afbb;
--line:#363b46;--accent:#8fa0ff;--accent-text:#0d1020;--hover:#252a36;--danger:#ffb3b3;--danger-bg:#3a1c1f;--badge:#2c313c}}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:grid;place-items:center;padding:24px 16px;background:var(--bg);color:var(--text);
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{width:100%;max-width:440px;background:var(--card);border:1px solid var(--line);border-radius:14px;padding:28px;
box-shadow:0 1px 2px rgba(0,0,0,.06),0 8px 24px rgba(0,0,0,.06)}
.brand{display:flex;align-items:center;gap:8px;font-weight:600;font-size:14px;color:var(--muted);margin:0 0 16px}
.brand b{display:inline-grid;place-items:center;width:24px;height:24px;border-radius:6px;background:var(--accent);color:var(--accent-text);font-size:13px}
h1{font-size:22px;line-height:1.3;margin:0 0 4px}
h2{font-size:14px;font-weight:600;color:var(--muted);margin:24px 0 8px}
p{margin:0 0 12px}
.lead{color:var(--muted);margin-bottom:20px}
ul.users{list-style:none;margin:0;padding:0;display:grid;gap:8px}
.user{width:100%;display:grid;grid-template-columns:40px 1fr;gap:12px;align-items:start;text-align:left;padding:12px;
border:1px solid var(--line);border-radius:10px;background:transparent;color:inherit;font:inherit;cursor:pointer}
.user:hover{background:var(--hover);border-color:var(--accent)}
.avatar{width:40px;height:40px;border-radius:50%;display:grid;place-items:center;background:var(--badge);font-weight:600}
.name{font-weight:600}
.email,.orgs{display:block;font-size:14px;color:var(--muted);overflow-wrap:anywhere}
.orgs code{font-size:13px}
.badge{display:inline-block;margin-left:6px;padding:0 8px;border-radius:999px;background:var(--danger-bg);color:var(--danger);font-size:12px;font-weight:600}
label{display:block;font-weight:600;font-size:14px;margin:12px 0 4px}
input{width:100%;padding:10px 12px;border:1px solid var(--muted);border-radius:8px;background:var(--card);color:inherit;font:inherit}
input[aria-invalid=true]{border-color:var(--danger)}
.primary,.secondary{display:block;width:100%;margin-top:16px;padding:11px 16px;border-radius:8px;font:inherit;font-weight:600;cursor:pointer}
.primary{border:0;background:var(--accent);color:var(--accent-text)}
.primary:hover{filter:brightness(1.1)}
.secondary{border:1px solid var(--line);background:transparent;color:inherit}
.secondary:hover{background:var(--hover)}
.link{margin-top:16px;padding:4px;border:0;background:none;color:var(--accent);font:inherit;text-decoration:underline;cursor:pointer}
.alert{padding:10px 12px;border-radius:8px;background:var(--danger-bg);color:var(--danger);font-weight:600}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
ul.values{margin:0 0 12px;padding-left:20px;overflow-wrap:anywhere}
.foot{margin:20px 0 0;font-size:13px;color:var(--muted);overflow-wrap:anywhere}
`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · AuthPI dev IdP</title>
<style>${STYLES}</style>
</head>
<body>
<main>
<p class="brand"><b aria-hidden="true">A</b>AuthPI dev IdP</p>
${body}
</main>
</body>
</html>`;
}

export interface LoginPageData {
  /** Where the login forms post. */
  action: string;
  /** Where the cancel button posts (ends with `error=access_denied`). */
  abortAction: string;
  clientName: string;
  issuer: string;
  users: readonly DevIdpUser[];
  /** Prefilled email: the last one typed, or the `login_hint`. */
  email?: string;
  error?: string;
}

function initials(name: string): string {
  return name
    .split(/\s+/)
    .map((part) => part[0] ?? "")
    .join("")
    .slice(0, 2)
    .toUpperCase();
}

function organizationsSummary(user: DevIdpUser): string {
  if (user.organizations.length === 0) return "No organization";
  return user.organizations
    .map((org) => `${escapeHtml(org.title ?? org.id)}: ${org.scopes.map((s) => `<code>${escapeHtml(s)}</code>`).join(", ") || "no scopes"}`)
    .join("<br>");
}

function userButton(user: DevIdpUser, action: string, autofocus: boolean): string {
  return `<li><form method="post" action="${escapeHtml(action)}">
<button class="user" type="submit" name="user" value="${escapeHtml(user.id)}" data-email="${escapeHtml(user.email)}"${autofocus ? " autofocus" : ""}>
<span class="avatar" aria-hidden="true">${escapeHtml(initials(user.name))}</span>
<span><span class="name">${escapeHtml(user.name)}</span>${user.blocked ? '<span class="badge">Blocked</span>' : ""}
<span class="email">${escapeHtml(user.email)}</span>
<span class="orgs">${organizationsSummary(user)}</span></span>
</button></form></li>`;
}

export function loginPage(data: LoginPageData): string {
  const { error } = data;
  const invalid = error ? ' aria-invalid="true" aria-describedby="login-error"' : "";
  return layout(
    "Sign in",
    `<h1>Sign in to ${escapeHtml(data.clientName)}</h1>
<p class="lead">A local identity provider for development. Pick a test user, or sign in with an email and password.</p>
${
  data.users.length
    ? `<h2 id="users-heading">Test users</h2>
<ul class="users" aria-labelledby="users-heading">
${data.users.map((user, i) => userButton(user, data.action, !error && i === 0)).join("\n")}
</ul>`
    : ""
}
<h2 id="password-heading">Email and password</h2>
<form method="post" action="${escapeHtml(data.action)}" aria-labelledby="password-heading">
${error ? `<p class="alert" role="alert" id="login-error">${escapeHtml(error)}</p>` : ""}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(data.email ?? "")}"${invalid}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${invalid}${error ? " autofocus" : ""}>
<button class="primary" type="submit">Sign in</button>
</form>
<form method="post" action="${escapeHtml(data.abortAction)}">
<button class="link" type="submit">Cancel and return to the app</button>
</form>
<p class="foot">Issuer: <code>${escapeHtml(data.issuer)}</code></p>
<script>${REPLACE_SCRIPT}</script>`,
  );
}

/**
 * RP-initiated logout confirmation. `form` is oidc-provider's hidden form (id `op.logoutForm`).
 * The app cleared its own session before it sent the browser here: the only choice left is the
 * IdP's session, and the page must not offer "stay signed in" to the app.
 */
export function logoutPage(form: string, clientName: string): string {
  return layout(
    "Sign out",
    `<h1>Also sign out of the AuthPI dev IdP?</h1>
<p class="lead">${escapeHtml(clientName)} has signed you out. Sign out here too, or keep your session at the dev IdP, which lets apps sign you in again without a password.</p>
${form}
<button class="primary" type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>
<button class="secondary" type="submit" form="op.logoutForm">Keep my dev IdP session</button>`,
  );
}

export function signedOutPage(clientName: string | undefined): string {
  return layout(
    "Signed out",
    `<h1>You are signed out</h1>
<p class="lead">Your sign-out${clientName ? ` from ${escapeHtml(clientName)}` : ""} was successful. You can close this tab.</p>`,
  );
}

/** Errors that cannot go back to the client (unknown client, unregistered redirect_uri, …). */
export function errorPage({ error, error_description: description }: { error: string; error_description?: string | undefined }, help?: SetupHelp): string {
  const code = `<p class="alert" role="alert"><code>${escapeHtml(error)}</code>${description ? ` ${escapeHtml(description)}` : ""}</p>`;
  if (!help) {
    return layout(
      "Error",
      `<h1>Something went wrong</h1>
${code}
<p class="foot">The request could not be sent back to the application, so it stops here.</p>`,
    );
  }
  const list = (uris: readonly string[]) => `<ul class="values">${uris.map((uri) => `<li><code>${escapeHtml(uri)}</code></li>`).join("")}</ul>`;
  return layout(
    help.title,
    `<h1>${escapeHtml(help.title)}</h1>
${code}
<h2>The app sent <code>${escapeHtml(help.parameter)}</code></h2>
${list([help.sent])}
<h2>Registered at this dev IdP</h2>
${list(help.registered)}
${help.hostMixup ? "<p><code>localhost</code> and <code>127.0.0.1</code> are different origins to the browser and to the IdP: open the app at the registered one, or register this one too.</p>" : ""}
<h2>To fix it</h2>
<p>${escapeHtml(help.fix)}</p>`,
  );
}
