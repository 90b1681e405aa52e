// The error family, as in AuthPI's Python SDK. Every protocol failure is an
// `OAuthError` with a stable machine code in `error`: IdP codes pass through
// unchanged (RFC 6749 §5.2), the SDK's own failures use the codes of
// `AuthPIErrorCode`. Caller mistakes are `TypeError`s: `ConfigurationError`
// for constructor options, a plain `TypeError` for arguments. Never a protocol error.

/** The codes the SDK itself produces, and the IdP codes it gives a class of their own. */
export type AuthPIErrorCode =
  // the SDK's own
  | "state_mismatch"
  | "no_pending_login"
  | "issuer_mismatch"
  | "missing_id_token"
  | "invalid_id_token"
  | "jwks_error"
  | "discovery_error"
  | "network_error"
  | "invalid_response"
  | "subject_mismatch"
  | "token_expired"
  | "not_a_member"
  | "no_active_org"
  | "unexpected_error"
  // the IdP's (RFC 6749 §4.1.2.1 and §5.2, OIDC Core §3.1.2.6, AuthPI)
  | "invalid_grant"
  | "access_denied"
  | "server_error"
  | "session_expired"
  | "user_blocked"
  | "account_linking_required"
  | "interaction_required"
  | "login_required"
  | "consent_required"
  | "insufficient_scope";

export interface OAuthErrorOptions {
  cause?: unknown;
  statusCode?: number;
}

export class OAuthError extends Error {
  override name = "OAuthError";
  /** Stable machine-readable code, e.g. `invalid_grant` or `state_mismatch`; other IdP codes pass through. */
  readonly error: AuthPIErrorCode | (string & {});
  readonly errorDescription: string | undefined;
  /** HTTP status of the response that failed, where there was one. */
  readonly statusCode: number | undefined;
  /** Seconds the server asked us to wait (`Retry-After` on 429 or 503). */
  retryAfter: number | undefined;

  constructor(error: string, errorDescription?: string, options: OAuthErrorOptions = {}) {
    super(errorDescription ? `${error}: ${errorDescription}` : error, { cause: options.cause });
    this.error = error;
    this.errorDescription = errorDescription;
    this.statusCode = options.statusCode;
  }
}

/** The access token has expired and there is no refresh token to renew it. */
export class TokenExpiredError extends OAuthError {
  override name = "TokenExpiredError";
  constructor(description = "the access token has expired and no refresh token is available", options?: OAuthErrorOptions) {
    super("token_expired", description, options);
  }
}

/** The token endpoint refused a refresh (`invalid_grant` …). `statusCode` is the HTTP status. */
export class RefreshError extends OAuthError {
  override name = "RefreshError";
}

/** Why an ID token was refused: the claim or step of OIDC Core §3.1.3.7 that failed. */
export type TokenParseReason =
  | "malformed"
  | "signature"
  | "alg"
  | "iss"
  | "aud"
  | "azp"
  | "exp"
  | "iat"
  | "nonce"
  | "auth_time"
  | "sub"
  | "claims";

/** The ID token is missing (`missing_id_token`) or failed verification (`invalid_id_token`). */
export class TokenParseError extends OAuthError {
  override name = "TokenParseError";
  readonly reason: TokenParseReason | undefined;
  constructor(
    error: "invalid_id_token" | "missing_id_token",
    description: string,
    options: OAuthErrorOptions & { reason?: TokenParseReason } = {},
  ) {
    super(error, description, options);
    this.reason = options.reason;
  }
}

/** A refreshed ID token or a userinfo response names another subject than the session's. */
export class SubjectMismatchError extends OAuthError {
  override name = "SubjectMismatchError";
  constructor(
    readonly expectedSub: string,
    readonly actualSub: string,
    options?: OAuthErrorOptions,
  ) {
    super("subject_mismatch", `expected subject ${expectedSub}, got ${actualSub}`, options);
  }
}

/** A constructor option is missing or invalid; `option` names it. A caller mistake, so a `TypeError`, not a protocol error. */
export class ConfigurationError extends TypeError {
  override name = "ConfigurationError";
  readonly error = "configuration_error";
  constructor(
    readonly option: string,
    description: string,
  ) {
    super(`${option}: ${description}`);
  }
}

/** Signed in, but not allowed (`insufficient_scope`); `no_active_org` when the rule needs an active organization and there is none. */
export class InsufficientScopeError extends OAuthError {
  override name = "InsufficientScopeError";
  constructor(description?: string, options?: OAuthErrorOptions, error: "insufficient_scope" | "no_active_org" = "insufficient_scope") {
    super(error, description, options);
  }
}

/** AuthPI's session reached its absolute or idle limit; sign in again. */
export class SessionExpiredError extends OAuthError {
  override name = "SessionExpiredError";
  constructor(description?: string, options?: OAuthErrorOptions) {
    super("session_expired", description, options);
  }
}

export class UserBlockedError extends OAuthError {
  override name = "UserBlockedError";
  constructor(description?: string, options?: OAuthErrorOptions) {
    super("user_blocked", description, options);
  }
}

export class AccountLinkingRequiredError extends OAuthError {
  override name = "AccountLinkingRequiredError";
  constructor(description?: string, options?: OAuthErrorOptions) {
    super("account_linking_required", description, options);
  }
}

/** The IdP needs the user (OIDC Core §3.1.2.6); `login_required` and `consent_required` are kinds of it. */
export class InteractionRequiredError extends OAuthError {
  override name = "InteractionRequiredError";
  constructor(description?: string, options?: OAuthErrorOptions, error = "interaction_required") {
    super(error, description, options);
  }
}

export class LoginRequiredError extends InteractionRequiredError {
  override name = "LoginRequiredError";
  constructor(description?: string, options?: OAuthErrorOptions) {
    super(description, options, "login_required");
  }
}

export class ConsentRequiredError extends InteractionRequiredError {
  override name = "ConsentRequiredError";
  constructor(description?: string, options?: OAuthErrorOptions) {
    super(description, options, "consent_required");
  }
}

// ---- The browser's own failures ----

/** A callback whose `state` is missing, unknown, already used or another tab's (RFC 9700 §4.7). */
export class StateMismatchError extends OAuthError {
  override name = "StateMismatchError";
  constructor(description = "the callback's state does not match a pending login", options?: OAuthErrorOptions) {
    super("state_mismatch", description, options);
  }
}

/** A callback arrived in a tab that has no pending login (new tab, bookmark, cleared storage). */
export class NoPendingLoginError extends OAuthError {
  override name = "NoPendingLoginError";
  constructor(description = "there is no pending login in this tab", options?: OAuthErrorOptions) {
    super("no_pending_login", description, options);
  }
}

/** Discovery `issuer` or the RFC 9207 `iss` parameter is not the configured issuer (mix-up). */
export class IssuerMismatchError extends OAuthError {
  override name = "IssuerMismatchError";
  constructor(
    readonly expected: string,
    readonly actual: string | null,
    options?: OAuthErrorOptions,
  ) {
    super("issuer_mismatch", `expected issuer ${expected}, got ${actual ?? "none"}`, options);
  }
}

export class DiscoveryError extends OAuthError {
  override name = "DiscoveryError";
  constructor(description: string, options?: OAuthErrorOptions) {
    super("discovery_error", description, options);
  }
}

export class JwksError extends OAuthError {
  override name = "JwksError";
  constructor(description: string, options?: OAuthErrorOptions) {
    super("jwks_error", description, options);
  }
}

/** The request never got an HTTP answer (offline, DNS, CORS, timeout). Safe to retry. */
export class NetworkError extends OAuthError {
  override name = "NetworkError";
  constructor(description: string, options?: OAuthErrorOptions) {
    super("network_error", description, options);
  }
}

/** `setActiveOrg()` named an organization the agent is not a member of: nothing changed. */
export class NotAMemberError extends OAuthError {
  override name = "NotAMemberError";
  constructor(
    readonly orgId: string,
    options?: OAuthErrorOptions,
  ) {
    super("not_a_member", `the signed-in agent is not a member of ${orgId}`, options);
  }
}

/** The server answered, but not with what the protocol requires (HTML, bad JSON, missing fields). */
export class InvalidResponseError extends OAuthError {
  override name = "InvalidResponseError";
  constructor(description: string, options?: OAuthErrorOptions) {
    super("invalid_response", description, options);
  }
}

type ErrorFactory = (description: string | undefined, options: OAuthErrorOptions) => OAuthError;

const classForCode: Record<string, ErrorFactory> = {
  session_expired: (d, o) => new SessionExpiredError(d, o),
  user_blocked: (d, o) => new UserBlockedError(d, o),
  account_linking_required: (d, o) => new AccountLinkingRequiredError(d, o),
  interaction_required: (d, o) => new InteractionRequiredError(d, o),
  login_required: (d, o) => new LoginRequiredError(d, o),
  consent_required: (d, o) => new ConsentRequiredError(d, o),
  insufficient_scope: (d, o) => new InsufficientScopeError(d, o),
};

/**
 * The error class for an IdP error code: a known code gets its class,
 * anything else an `OAuthError` (or, from the token endpoint during a refresh,
 * a `RefreshError`) that keeps the code unchanged.
 */
export function errorFromCode(
  code: string,
  description: string | undefined,
  options: OAuthErrorOptions & { refresh?: boolean } = {},
): OAuthError {
  const make = Object.hasOwn(classForCode, code) ? classForCode[code] : undefined;
  if (make) return make(description, options);
  return options.refresh ? new RefreshError(code, description, options) : new OAuthError(code, description, options);
}

/**
 * Worth retrying later: no answer at all, a server fault or rate limiting, or
 * discovery / keys that could not be fetched for one of those reasons.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof NetworkError) return true;
  if ((error instanceof JwksError || error instanceof DiscoveryError) && isTransient(error.cause)) return true;
  if (!(error instanceof OAuthError) || error.statusCode === undefined) return false;
  // Only an OAuth error from the IdP ends a session: a 408, or a proxy's or portal's page with no
  // OAuth `error` in it (invalid_response with a status), did not spend the refresh token.
  return error.statusCode >= 500 || error.statusCode === 429 || error.statusCode === 408 || error.error === "invalid_response";
}

/** What a call that needs a session gets without one. */
export const signedOut = (description = "not signed in"): LoginRequiredError => new LoginRequiredError(description);

/** Any failure as an `OAuthError`: the snapshot and the callbacks only ever carry that family. */
export function toOAuthError(error: unknown): OAuthError {
  return error instanceof OAuthError ? error : new OAuthError("unexpected_error", String(error), { cause: error });
}
