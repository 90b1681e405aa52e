import type { KoaContextWithOIDC } from "oidc-provider";

/**
 * Lets the SPA read the `Date` of the IdP's cross-origin answers. `Date` is not a
 * CORS-safelisted response header (Fetch §3.2.6), and oidc-provider exposes only
 * `WWW-Authenticate`; without this the SDK cannot learn the IdP's clock from the token
 * response and judges ID tokens on the device's clock alone, so a device minutes off fails
 * to sign in. AuthPI must send the same header on its token endpoint.
 */
export async function exposeDate(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  await next();
  // Only answers that are CORS-enabled for this origin; a refused origin stays refused.
  if (!ctx.response.get("Access-Control-Allow-Origin")) return;
  const exposed = ctx.response.get("Access-Control-Expose-Headers");
  if (!/(^|,)\s*date\s*(,|$)/i.test(exposed)) ctx.set("Access-Control-Expose-Headers", exposed ? `${exposed}, Date` : "Date");
}
