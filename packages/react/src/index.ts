export { AuthPIProvider, type AuthPIProviderProps } from "./provider.js";
export { useAccess, useActiveAccess, useActiveOrg, useAgent, useAuthPI, useAuthPIClient, type ActiveOrgState, type AuthPIState } from "./hooks.js";
export { useSuspenseAuthPI } from "./suspense.js";
export { RequireAccess, type OrgRole, type RequireAccessProps } from "./require-access.js";
export type { AuthPIStore } from "./store.js";
// Types people write next to these components, so they need not import @authpi/core for them.
export { requireAccess, type AccessRule } from "@authpi/core";
export type {
  AuthenticatedAgent,
  AuthPIClientOptions,
  AuthSnapshot,
  AuthStatus,
  LoginOptions,
  LogoutOptions,
  OAuthError,
  Organization,
} from "@authpi/core";
