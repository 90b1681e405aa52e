import { errors, type KoaContextWithOIDC } from "oidc-provider";
import { errorPage, html } from "./pages.js";

/**
 * AuthPI's end-session endpoint requires `id_token_hint`; oidc-provider treats it as
 * optional, and without it signs out whoever holds the browser session, for no client in
 * particular. A logout URL without the hint is a client bug, so it stops at a 400 page that says
 * so, whether or not the browser has a session, and the session is left alone.
 *
 * This runs after oidc-provider's end-session step because only then are the GET query and the
 * POST form parsed alike (and a malformed or foreign hint already got its own invalid_request).
 * That step only rendered the confirmation page: nothing ends before its form is posted.
 */
export async function requireIdTokenHint(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  await next();
  // `oidc` is missing on requests that matched no provider route.
  const oidc = ctx.oidc as KoaContextWithOIDC["oidc"] | undefined;
  if (oidc?.route !== "end_session" || ctx.status !== 200 || oidc.params?.["id_token_hint"]) return;
  const error = new errors.InvalidRequest(
    "id_token_hint is required: the end-session request must carry the ID token of the session to end",
  );
  oidc.provider.emit("end_session.error", ctx, error);
  ctx.status = 400;
  html(ctx, errorPage({ error: error.error, error_description: error.error_description }));
}
