import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";
import { LOGIN_PAGE_CSP, PAGE_CSP, errorPage, loginPage } from "./pages.js";
import type { DevIdpUser } from "./users.js";

/** What the interaction pages need from the running IdP. */
export interface InteractionContext {
  provider: Provider;
  issuerUrl: string;
  issuerPath: string;
  clientName: string;
  users: readonly DevIdpUser[];
  log(line: string): void;
}

export type InteractionAction = "show" | "login" | "abort";

const MAX_FORM_BYTES = 16 * 1024;

function send(res: ServerResponse, status: number, body: string, csp = PAGE_CSP): void {
  res.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": csp,
    "Cache-Control": "no-store",
  });
  res.end(body);
}

/** The login page's script posts with fetch and asks where to go instead of following a redirect. */
const wantsLocation = (req: IncomingMessage) => req.headers.accept === "application/json";

function sendLocation(res: ServerResponse, location: string): void {
  res.writeHead(200, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
  res.end(JSON.stringify({ location }));
}

/** Ends the interaction: a 303 to oidc-provider's resume URL, or that URL for the script to replace the page with. */
async function finish(provider: Provider, req: IncomingMessage, res: ServerResponse, result: Parameters<Provider["interactionResult"]>[2]): Promise<void> {
  if (!wantsLocation(req)) return void (await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false }));
  sendLocation(res, await provider.interactionResult(req, res, result, { mergeWithLastSubmission: false }));
}

/** Why the last login attempt failed, carried in the login page's URL when the script replaces the page. */
const failures = { password: "Wrong email or password. Try again.", user: "That user does not exist." } as const;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new RangeError("login form too large");
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

/**
 * The interaction steps of oidc-provider's flow, at `{issuerPath}/interaction/:uid`: the login
 * page (also shown for prompt=login and prompt=select_account). Consent is never shown: this is
 * a first-party client, so the grant is created here.
 */
export async function handleInteraction(
  ctx: InteractionContext,
  req: IncomingMessage,
  res: ServerResponse,
  uid: string,
  action: InteractionAction,
): Promise<void> {
  const { provider } = ctx;
  // Fails (SessionNotFound) when the interaction cookie is missing or the interaction expired.
  const details = await provider.interactionDetails(req, res).catch(() => undefined);
  // The cookie names the interaction; a URL for another one is a stale tab or another browser.
  if (!details || details.uid !== uid) {
    send(
      res,
      400,
      errorPage({
        error: "invalid_request",
        error_description: "This sign-in attempt has expired or belongs to another browser. Go back to the app and sign in again.",
      }),
    );
    return;
  }

  const base = `${ctx.issuerPath}/interaction/${uid}`;
  const page = (status: number, fields: { email?: string; error?: string }) =>
    send(
      res,
      status,
      loginPage({
        action: `${base}/login`,
        abortAction: `${base}/abort`,
        clientName: ctx.clientName,
        issuer: ctx.issuerUrl,
        users: ctx.users,
        ...fields,
      }),
      LOGIN_PAGE_CSP,
    );

  if (action === "abort") {
    await finish(provider, req, res, { error: "access_denied", error_description: "The user cancelled the sign-in." });
    return;
  }

  if (details.prompt.name === "consent") {
    await grantConsent(provider, req, res, details);
    return;
  }

  if (action === "show") {
    const query = new URL(req.url ?? "/", ctx.issuerUrl).searchParams;
    const failure = query.get("failed");
    if (failure === "password" || failure === "user") {
      page(200, { email: query.get("email") ?? "", error: failures[failure] });
      return;
    }
    const hint = details.params["login_hint"];
    page(200, typeof hint === "string" ? { email: hint } : {});
    return;
  }

  const form = await readForm(req);
  const picked = form.get("user");
  const email = form.get("email")?.trim() ?? "";
  const user =
    picked !== null
      ? ctx.users.find((u) => u.id === picked)
      : ctx.users.find((u) => u.email.toLowerCase() === email.toLowerCase() && u.password === form.get("password"));
  if (!user) {
    const failure = picked !== null ? "user" : "password";
    if (wantsLocation(req)) sendLocation(res, `${base}?${new URLSearchParams({ failed: failure, email })}`);
    else page(401, { email, error: failures[failure] });
    return;
  }
  if (user.blocked) {
    ctx.log(`blocked user ${user.email} tried to sign in`);
    await finish(provider, req, res, { error: "user_blocked", error_description: "This account is blocked." });
    return;
  }
  ctx.log(`signed in: ${user.email}`);
  // Picking a user on this page is also the answer to prompt=select_account.
  await finish(provider, req, res, { login: { accountId: user.id }, select_account: {} });
}

/** Grants what the authorization request asked for, as a first-party client's consent. */
async function grantConsent(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  details: Awaited<ReturnType<Provider["interactionDetails"]>>,
): Promise<void> {
  const { prompt, params, session, grantId } = details;
  const grant =
    (grantId ? await provider.Grant.find(grantId) : undefined) ??
    new provider.Grant({ accountId: session?.accountId ?? "", clientId: String(params["client_id"]) });
  const missing = prompt.details;
  if (Array.isArray(missing["missingOIDCScope"])) grant.addOIDCScope(missing["missingOIDCScope"].join(" "));
  if (Array.isArray(missing["missingOIDCClaims"])) grant.addOIDCClaims(missing["missingOIDCClaims"]);
  const resourceScopes = missing["missingResourceScopes"] as Record<string, string[]> | undefined;
  for (const [indicator, scopes] of Object.entries(resourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(" "));
  }
  const savedGrantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId: savedGrantId } }, { mergeWithLastSubmission: true });
}
