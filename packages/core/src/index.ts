export { AuthenticatedAgent, PrincipalType, principalTypeOf } from "./agent.js";
export * from "./errors.js";
export { hasAccess, parseScope, ScopeSet, type ParsedScope } from "./scope.js";
export type { IdTokenClaims, Organization, TokenSet, UserInfo } from "./types.js";
