import Provider, { errors, interactionPolicy, type Configuration, type KoaContextWithOIDC } from "oidc-provider";
import type { PrivateJwk, SigningAlg } from "./keys.js";
import type { MemoryStore } from "./memory-store.js";
import { orgMembershipPrompt, orgParam, presentedOrg } from "./org-restriction.js";
import { errorPage, html, logoutPage, signedOutPage } from "./pages.js";
import { setupHelp } from "./setup-errors.js";
import { type DevIdpUser, userClaims } from "./users.js";

export interface ProviderSetup {
  issuerUrl: string;
  issuerPath: string;
  clientId: string;
  clientName: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  accessTokenTtl: number;
  idTokenTtl: number;
  signingAlg: SigningAlg;
  /** Newest first: oidc-provider signs with the first key that fits the algorithm. */
  keys: PrivateJwk[];
  cookieKeys: string[];
  store: MemoryStore;
  findUser(id: string): DevIdpUser | undefined;
}

/** What an access token's `scope` (and the token response's) can hold: the OIDC scopes, as at AuthPI. */
const GRANTED_SCOPES = "openid profile email";
const SEVEN_DAYS = 7 * 24 * 60 * 60;

/**
 * oidc-provider's login and consent prompts, plus `select_account` (AuthPI lists it among the
 * prompt values users need; oidc-provider refuses values without a prompt). The login page is
 * the account picker, so it resolves both.
 */
function promptPolicy(findUser: ProviderSetup["findUser"]): interactionPolicy.Prompt[] {
  const policy = interactionPolicy.base();
  policy.add(new interactionPolicy.Prompt({ name: "select_account", requestable: true }), 0);
  policy.add(orgMembershipPrompt(findUser));
  return policy;
}

/** oidc-provider configured to behave like AuthPI (path issuer, PKCE, rotation, JWT access tokens) for one public SPA client. */
export function createProvider(setup: ProviderSetup): Provider {
  const { signingAlg: alg, findUser } = setup;
  const spaOrigins = new Set(setup.redirectUris.map((uri) => new URL(uri).origin));

  const configuration: Configuration = {
    adapter: setup.store.adapter,
    jwks: { keys: setup.keys },
    cookies: { keys: setup.cookieKeys },
    clients: [
      {
        client_id: setup.clientId,
        client_name: setup.clientName,
        application_type: "web",
        // A public client: no secret, so PKCE is what binds the code to the browser that asked.
        token_endpoint_auth_method: "none",
        redirect_uris: setup.redirectUris,
        post_logout_redirect_uris: setup.postLogoutRedirectUris,
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        id_token_signed_response_alg: alg,
      },
    ],
    clientDefaults: { id_token_signed_response_alg: alg },
    // Only the configured algorithm is advertised and used, like an AuthPI client setting.
    enabledJWA: {
      idTokenSigningAlgValues: [alg],
      userinfoSigningAlgValues: [alg],
      introspectionSigningAlgValues: [alg],
      authorizationSigningAlgValues: [alg],
    },
    responseTypes: ["code"],
    extraParams: orgParam,
    pkce: { methods: ["S256"], required: () => true },
    // Exact redirect URIs: the token request must repeat the authorize request's redirect_uri.
    allowOmittingSingleRegisteredRedirectUri: false,
    // Expiry tests need tokens to die when they say they do (the default stretches them 15 s).
    clockTolerance: 0,
    // AuthPI puts the profile claims and `organizations` in the ID token too; oidc-provider by
    // default moves everything but `sub` to userinfo.
    conformIdTokenClaims: false,
    claims: {
      openid: ["sub", "organizations"],
      profile: ["name"],
      email: ["email", "email_verified"],
    },
    // AuthPI gives SPAs refresh tokens without `offline_access` (which oidc-provider only keeps
    // with prompt=consent), rotated on every use; reuse of an old one revokes the whole grant.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    rotateRefreshToken: true,
    clientBasedCORS: (_ctx, origin) => spaOrigins.has(origin),
    routes: { end_session: "/logout" },
    ttl: {
      AccessToken: setup.accessTokenTtl,
      IdToken: setup.idTokenTtl,
      AuthorizationCode: 60,
      Interaction: 60 * 60,
      // AuthPI sessions last 7 days absolute: a rotated refresh token keeps the rest of its
      // predecessor's lifetime instead of starting a new week.
      RefreshToken: (ctx) => ctx?.oidc.entities.RotatedRefreshToken?.remainingTTL ?? SEVEN_DAYS,
      Session: SEVEN_DAYS,
      Grant: SEVEN_DAYS,
    },
    interactions: {
      policy: promptPolicy(findUser),
      // Path-prefixed: the interaction cookie's path is derived from this URL.
      url: (_ctx, interaction) => `${setup.issuerPath}/interaction/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => html(ctx, logoutPage(form, ctx.oidc.client?.clientName ?? setup.clientName)),
        postLogoutSuccessSource: async (ctx) => html(ctx, signedOutPage(ctx.oidc.client?.clientName)),
      },
      // JWT access tokens (`typ: at+jwt`) come from resource indicators. The client never has to
      // send `resource`: the issuer is the default audience, and the token endpoint reuses
      // whatever resource the authorization granted.
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf?.[0] ?? setup.issuerUrl,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator) => ({
          scope: GRANTED_SCOPES,
          audience: resourceIndicator,
          accessTokenFormat: "jwt",
          jwt: { sign: { alg } },
        }),
      },
    },
    // AuthPI's access token carries `organizations` and `sid`. oidc-provider only records a `sid`
    // for clients with back-channel logout, so it comes from the session the token belongs to.
    extraTokenClaims: async (ctx, token) => {
      if (!("accountId" in token)) return undefined;
      const session = token.sessionUid ? await ctx.oidc.provider.Session.findByUid(token.sessionUid) : undefined;
      const user = findUser(token.accountId);
      return {
        organizations: user ? userClaims(user, presentedOrg(ctx, setup.store)).organizations : [],
        sid: session?.sidFor(setup.clientId),
      };
    },
    // `token` is the code, refresh token or access token the claims are for (none at authorize).
    findAccount: (_ctx, sub, token) => {
      const user = findUser(sub);
      if (!user) return undefined;
      // A user blocked after signing in: refreshes and new authorizations end with AuthPI's code.
      if (user.blocked) throw new errors.CustomOIDCProviderError("user_blocked", "This account is blocked.");
      const org = token ? setup.store.orgRestriction(token) : undefined;
      return { accountId: user.id, claims: () => userClaims(user, org) };
    },
    renderError: async (ctx, out) => {
      // `oidc` is missing when the request failed before the provider parsed it.
      const params = (ctx.oidc as KoaContextWithOIDC["oidc"] | undefined)?.params ?? ctx.query;
      html(ctx, errorPage(out, setupHelp(out, params, setup)));
    },
  };

  return new Provider(setup.issuerUrl, configuration);
}
