import { isTransient } from "@authpi/core";

/** A failed session in words for the person in front of the screen. */
export interface AuthErrorText {
  /** What happened, as a short sentence: "Can't reach the sign-in service." */
  readonly title: string;
  /** What they can do about it. */
  readonly hint: string;
  /**
   * The identity provider's own words, for the codes it addresses to a person (`access_denied`,
   * `user_blocked` …); `null` otherwise. The SDK's descriptions (`request to http://…/token failed`)
   * are for developers and never appear here. It may come from a crafted URL: render it as text.
   */
  readonly idpMessage: string | null;
}

const unreachable = ["Can't reach the sign-in service.", "Check your connection, then try again."] as const;
const ended = ["Your session has ended.", "Sign in again to continue."] as const;

// Grouped by what the user can do, not by cause: a forged token and an unknown code read alike.
const byCode: Record<string, readonly [string, string]> = {
  network_error: unreachable,
  discovery_error: unreachable,
  jwks_error: unreachable,
  invalid_grant: ended,
  session_expired: ended,
  token_expired: ended,
  login_required: ended,
  state_mismatch: ["This sign-in can't be completed.", "Start a new one."],
  no_pending_login: ["This sign-in can't be completed.", "Start a new one."],
  access_denied: ["Sign-in was cancelled or refused.", "You can start again whenever you are ready."],
  user_blocked: ["This account is blocked.", "Ask an administrator, or sign in as someone else."],
};

/** The codes an identity provider sends with a description meant for the user. */
const addressedToUser = /^(access_denied|user_blocked|account_linking_required|consent_required|interaction_required|login_required|session_expired)$/;

/** A failed session (the snapshot's `error`) as sentences: the defaults of `<RequireAccess>` use it, and your own error view can. */
export function explainAuthError(error: Error): AuthErrorText {
  const code = "error" in error && typeof error.error === "string" ? error.error : "";
  const [title, hint] = (Object.hasOwn(byCode, code) && byCode[code]) || (isTransient(error) ? unreachable : ["Sign-in did not complete.", "Try again; if it keeps failing, tell the site's administrator."]);
  const description = "errorDescription" in error && typeof error.errorDescription === "string" ? error.errorDescription : null;
  return { title, hint, idpMessage: addressedToUser.test(code) ? description : null };
}
