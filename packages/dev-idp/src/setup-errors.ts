/**
 * The errors a new app's configuration runs into first (a client id, redirect URI or post-logout
 * redirect URI the IdP does not know), which oidc-provider can only show on its own page: what
 * was sent, what is registered, and the flag that registers it, so the page is not a dead end.
 */

export interface RegisteredClient {
  clientId: string;
  redirectUris: readonly string[];
  postLogoutRedirectUris: readonly string[];
}

export interface SetupHelp {
  title: string;
  /** What the request named (`client_id`, `redirect_uri` …). */
  parameter: string;
  sent: string;
  registered: readonly string[];
  /** One sentence: which flag or option fixes it. */
  fix: string;
  /** Set when `sent` differs from a registered value by `localhost` against `127.0.0.1` only. */
  hostMixup: boolean;
}

const sameButHost = (a: string, b: string): boolean => {
  if (!URL.canParse(a) || !URL.canParse(b)) return false;
  const [x, y] = [new URL(a), new URL(b)];
  const loopback = new Set(["localhost", "127.0.0.1", "[::1]"]);
  return x.hostname !== y.hostname && loopback.has(x.hostname) && loopback.has(y.hostname) && x.port === y.port && x.pathname === y.pathname;
};

function help(title: string, parameter: string, sent: unknown, registered: readonly string[], fix: (sent: string) => string): SetupHelp {
  const value = typeof sent === "string" ? sent : "(nothing)";
  return { title, parameter, sent: value, registered, fix: fix(value), hostMixup: registered.some((uri) => sameButHost(value, uri)) };
}

/** Help for an error oidc-provider renders as a page, when it is one of the setup errors above. */
export function setupHelp(error: { error: string; error_description?: string | undefined }, params: Record<string, unknown>, client: RegisteredClient): SetupHelp | undefined {
  if (error.error === "invalid_client") {
    return help("This app's client id is not registered", "client_id", params["client_id"], [client.clientId], (sent) =>
      `Use clientId: "${client.clientId}" in the app, or start the dev IdP with --client-id ${sent} (the clientId option of startDevIdp()).`,
    );
  }
  if (error.error === "invalid_redirect_uri") {
    return help("This redirect URI is not registered", "redirect_uri", params["redirect_uri"], client.redirectUris, (sent) =>
      `Start the dev IdP with --redirect-uri ${sent} (repeat the flag for each URI; the redirectUris option of startDevIdp()), or open the app at a registered address.`,
    );
  }
  if (error.error === "invalid_request" && error.error_description === "post_logout_redirect_uri not registered") {
    return help("This post-logout redirect URI is not registered", "post_logout_redirect_uri", params["post_logout_redirect_uri"], client.postLogoutRedirectUris, (sent) =>
      `Start the dev IdP with --post-logout-redirect-uri ${sent} (repeatable; the postLogoutRedirectUris option of startDevIdp()), or sign out to a registered URI.`,
    );
  }
  return undefined;
}
