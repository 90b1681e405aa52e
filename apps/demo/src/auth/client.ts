import { AuthPIClient } from "@authpi/core";
import { clientId, issuerUrl } from "../config";
import { logRefresh, logRefreshError } from "./refresh-log";

/**
 * One client for the whole tab, built at module load: its constructor restores
 * a stored session synchronously, so the very first render already knows the
 * user (no signed-out flash on reload).
 */
export const client = new AuthPIClient({
  issuerUrl,
  clientId,
  redirectUri: `${location.origin}/callback`,
  postLogoutRedirectUri: `${location.origin}/`,
  onRefresh: logRefresh,
  onRefreshError: logRefreshError,
});
