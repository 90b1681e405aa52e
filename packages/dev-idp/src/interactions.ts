import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";
import { PAGE_CSP, errorPage, loginPage } from "./pages.js";
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

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": PAGE_CSP,
    "Cache-Control": "no-store",
  });
  res.end(body);
}

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
    );

  if (action === "abort") {
    await provider.interactionFinished(
      req,
      res,
      { error: "access_denied", error_description: "The user cancelled the sign-in." },
      { mergeWithLastSubmission: false },
    );
    return;
  }

  if (details.prompt.name === "consent") {
    await grantConsent(provider, req, res, details);
    return;
  }

  if (action === "show") {
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
    page(401, { email, error: picked !== null ? "That user does not exist." : "Wrong email or password. Try again." });
    return;
  }
  if (user.blocked) {
    ctx.log(`blocked user ${user.email} tried to sign in`);
    await provider.interactionFinished(
      req,
      res,
      { error: "user_blocked", error_description: "This account is blocked." },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  ctx.log(`signed in: ${user.email}`);
  // Picking a user on this page is also the answer to prompt=select_account.
  const result = { login: { accountId: user.id }, select_account: {} };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
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
