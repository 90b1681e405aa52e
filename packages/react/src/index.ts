export { AuthPIProvider, type AuthPIProviderProps } from "./provider.js";
export { useAccess, useActiveAccess, useActiveOrg, useAgent, useAuthPI, useAuthPIClient, type ActiveOrgState, type AuthPIState } from "./hooks.js";
export { useSuspenseAuthPI } from "./suspense.js";
export { explainAuthError, type AuthErrorText } from "./error-text.js";
export { RequireAccess, type OrgRole, type RequireAccessProps, type RequireAccessViews } from "./require-access.js";
export { requireAccess, type AccessRule } from "@authpi/core";
export type { AuthPIStore } from "./store.js";
// Types people write next to these components, so they need not import @authpi/core for them.
// What route guards need next to the hooks: the rule, and the errors it rejects with.
export { InsufficientScopeError, LoginRequiredError, NotAMemberError, OAuthError } from "@authpi/core";
export type {
  AuthenticatedAgent,
  AuthPIClientOptions,
  AuthSnapshot,
  AuthStatus,
  LoginOptions,
  LogoutOptions,
  Organization,
} from "@authpi/core";
