import { errors, interactionPolicy, type KoaContextWithOIDC } from "oidc-provider";
import type { MemoryStore, TokenRef } from "./memory-store.js";
import type { DevIdpUser } from "./users.js";

/**
 * AuthPI's `org` authorize parameter: a login restricted to one of the user's
 * organizations gets an `organizations` claim (ID token, access token, userinfo) holding only
 * that one, for every refresh of the grant too.
 *
 * oidc-provider carries nothing of an authorization request to the token endpoint but the code's
 * own fields, and the Grant and the session outlive one authorization: a silent login with
 * another `org` reuses them both. So the restriction is remembered per token in the store: the
 * code, then each refresh token that succeeds it, and each access token (for userinfo).
 */

/** Also what keeps the id safe to quote in an error_description (RFC 6749 §4.1.2.1). */
const ORG_ID = /^[\w-]{1,100}$/;

/** The `extraParams` entry: oidc-provider drops authorize parameters it was not told about. */
export const orgParam = {
  org(_ctx: KoaContextWithOIDC, value: string | undefined): void {
    if (value !== undefined && !ORG_ID.test(value)) {
      throw new errors.InvalidRequest("org must be an organization id, such as org_acme");
    }
  },
};

/**
 * The last prompt of the policy, so its check only runs once login and consent are settled and
 * the account is the one the code will be for, silent logins included. No interaction can make
 * the user a member, so a non-member's authorization ends at once with access_denied on the
 * redirect (with `state` and `iss`, like every error oidc-provider sends back).
 */
export function orgMembershipPrompt(findUser: (id: string) => DevIdpUser | undefined): interactionPolicy.Prompt {
  const description = "the user is not a member of the requested organization";
  const check = new interactionPolicy.Check("org_not_a_member", description, "access_denied", (ctx) => {
    const org = ctx.oidc.params?.["org"];
    const accountId = ctx.oidc.session?.accountId;
    if (typeof org !== "string" || !accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
    if (!findUser(accountId)?.organizations.some((membership) => membership.id === org)) {
      throw new errors.AccessDenied(`The user is not a member of organization ${org}.`);
    }
    return interactionPolicy.Check.NO_NEED_TO_PROMPT;
  });
  return new interactionPolicy.Prompt({ name: "org", requestable: false }, check);
}

/** The code or refresh token a token request presented: the one whose restriction applies. */
function presentedToken(ctx: KoaContextWithOIDC): TokenRef | undefined {
  const { entities } = ctx.oidc;
  return entities.AuthorizationCode ?? entities.RotatedRefreshToken ?? entities.RefreshToken;
}

/** The org the current token request's authorization was restricted to, if any. */
export function presentedOrg(ctx: KoaContextWithOIDC, store: MemoryStore): string | undefined {
  const token = presentedToken(ctx);
  return token ? store.orgRestriction(token) : undefined;
}

/**
 * Provider middleware: records the restriction for the code an authorization issued, and passes
 * it on from the presented code or refresh token to the tokens a token request issued.
 */
export function carryOrgRestriction(store: MemoryStore) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    // `oidc` is missing on requests that matched no provider route.
    const oidc = ctx.oidc as KoaContextWithOIDC["oidc"] | undefined;
    if (!oidc) return;
    const { AuthorizationCode: code, AccessToken: accessToken, RefreshToken: refreshToken } = oidc.entities;
    if (oidc.route === "authorization" || oidc.route === "resume") {
      const org = oidc.params?.["org"];
      if (code && typeof org === "string") store.restrictToOrg(code, org, code.remainingTTL);
      return;
    }
    if (oidc.route !== "token" || ctx.status !== 200) return;
    const org = presentedOrg(ctx, store);
    if (org === undefined) return;
    for (const issued of [accessToken, refreshToken]) if (issued) store.restrictToOrg(issued, org, issued.remainingTTL);
  };
}
