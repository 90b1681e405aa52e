export { AuthPIProvider, type AuthPIProviderProps } from "./provider.js";
export { useAccess, useActiveAccess, useActiveOrg, useAgent, useAuthPI, type ActiveOrgState, type AuthPIState } from "./hooks.js";
export { RequireAccess, type OrgRole, type RequireAccessProps } from "./require-access.js";
export type { AuthPIStore } from "./store.js";
// Types people write next to these components, so they need not import @authpi/core for them.
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
