export { accessVerdict, checkAccessRule, requireAccess, type AccessGate, type AccessRule, type AccessVerdict, type OrgRole } from "./access-rule.js";
export { AuthenticatedAgent, PrincipalType, principalTypeOf } from "./agent.js";
// Every error class and helper, not the internal `signedOut()`.
export {
  AccountLinkingRequiredError,
  ConfigurationError,
  ConsentRequiredError,
  DiscoveryError,
  errorFromCode,
  InsufficientScopeError,
  InteractionRequiredError,
  InvalidResponseError,
  isTransient,
  IssuerMismatchError,
  JwksError,
  LoginRequiredError,
  NetworkError,
  NoPendingLoginError,
  NotAMemberError,
  OAuthError,
  RefreshError,
  SessionExpiredError,
  StateMismatchError,
  SubjectMismatchError,
  TokenExpiredError,
  TokenParseError,
  toOAuthError,
  UserBlockedError,
  type AuthPIErrorCode,
  type OAuthErrorOptions,
  type TokenParseReason,
} from "./errors.js";
export { explainAccess, hasAccess, parseScope, ScopeSet, type ParsedScope } from "./scope.js";
export type { IdTokenClaims, Organization, TokenSet, UserInfo } from "./types.js";
export {
  AuthPIClient,
  type AgentOptions,
  type AuthorizationOptions,
  type AuthorizationUrl,
  type AuthSnapshot,
  type AuthStatus,
  type CallbackResult,
  type LoginOptions,
  type LogoutOptions,
  type SignedOutReturn,
  type LogoutResult,
} from "./client.js";
export type { AuthPIClientOptions } from "./options.js";
export type { StorageLike } from "./storage.js";
export { timers, type TimerProvider } from "./timers.js";
export { wakeEvents, type WakeReason, type WakeSetup } from "./wake-events.js";
export type { AuthPIEventListener, AuthPIEvents } from "./events.js";
