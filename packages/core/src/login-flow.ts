// The parts of a redirect login that talk to the IdP, in the protocol chunk:
// the pending login stored before leaving, and the callback's completion.
// redirect-login.ts keeps what must run before the chunk is there (one login
// at a time, the address bar cleaned at once, one completion per state).
import type { AuthenticatedAgent } from "./agent.js";
import { CALLBACK_PARAMS, singleParams } from "./callback-params.js";
import { LoginRequiredError, NoPendingLoginError, StateMismatchError, toOAuthError } from "./errors.js";
import type { EventBus } from "./events.js";
import type { ResolvedOptions } from "./options.js";
import type { PendingLogin } from "./pending-login.js";
import type { Protocol } from "./protocol.js";
import type { CallbackResult, LoginOptions, SignedOutReturn } from "./redirect-login.js";
import type { SessionStore, Ticket } from "./session-store.js";
import type { SafeStorage } from "./storage.js";
import type { StorageKeys } from "./storage-keys.js";

export interface LoginParts {
  options: ResolvedOptions;
  store: SessionStore;
  storage: SafeStorage;
  keys: StorageKeys;
  events: EventBus;
}

/** The IdP's answers to `prompt=none` that mean "no session here without the user" (OIDC Core §3.1.2.6). */
const NEEDS_USER = new Set(["login_required", "interaction_required", "consent_required", "account_selection_required"]);

export class LoginFlow {
  /** The deep link of a silent restoration that came back without a session, for `start()`. */
  signedOutReturn: SignedOutReturn | null = null;

  constructor(
    private readonly parts: LoginParts,
    private readonly protocol: Protocol,
  ) {}

  /** The authorization URL of a new login, its single-use pending record stored (`silent`: a new tab's restoration). */
  async begin({ returnTo, ...authOptions }: LoginOptions & { returnTo: string }, silent: boolean, origin: string): Promise<string> {
    const auth = await this.protocol.authorizationUrl(authOptions);
    const { options } = this.parts;
    const org = authOptions.org ?? options.org;
    const epoch = this.parts.store.ticket().epoch;
    const pending = { codeVerifier: auth.codeVerifier, nonce: auth.nonce, returnTo, createdAt: options.now(), maxAge: authOptions.maxAge, org, epoch, ...(silent ? { silent } : {}) };
    this.protocol.pending.add(auth.state, pending, origin);
    return auth.url;
  }

  /** Completes the callback whose parameters are `search`, if `ticket` is still current when its tokens arrive. */
  async complete(search: URLSearchParams, origin: string, ticket: Ticket): Promise<CallbackResult> {
    const { store, options } = this.parts;
    let login: PendingLogin | undefined;
    try {
      // Repeated parameters are refused before the pending login is touched (RFC 6749 §3.1).
      const { state } = singleParams(search, CALLBACK_PARAMS);
      // Consumed before the token request: a replayed or concurrent callback finds nothing (case 10).
      login = state === null ? undefined : this.protocol.pending.take(state, origin);
      if (!login) throw state !== null && this.protocol.pending.isEmpty() ? new NoPendingLoginError() : new StateMismatchError();
      // Begun before a logout in any tab (the user was at the IdP meanwhile): "sign out every tab" wins, and the code is not even redeemed.
      if (login.epoch !== undefined && login.epoch !== ticket.epoch) throw new LoginRequiredError("a logout happened while this login was at the identity provider; it was not applied");
      const receivedAt = options.now() / 1000;
      const agent: AuthenticatedAgent = await this.protocol.completeCallback(search, login);
      // Signed out (here or in any tab) meanwhile: this login must not look applied, and its grant must not outlive the logout.
      if (!store.isCurrent(ticket)) {
        this.protocol.revokeTokens(agent.tokens).catch(() => undefined);
        throw new LoginRequiredError("the session ended while this login completed; it was not applied");
      }
      store.signedIn(agent, receivedAt, login.org, ticket);
      if (login.silent) this.#restored("restored");
      return { agent, returnTo: login.returnTo };
    } catch (error) {
      const oauthError = toOAuthError(error);
      if (login?.silent) {
        // No session at the IdP, or it wants the user: signed out at the deep link, never a second try.
        const needsUser = NEEDS_USER.has(oauthError.error);
        store.restoreFailed(needsUser ? null : oauthError);
        this.signedOutReturn = { agent: null, returnTo: login.returnTo };
        this.#restored(needsUser ? "signed-out" : "failed");
      } else if (store.isCurrent(ticket)) store.failed(oauthError);
      throw oauthError;
    }
  }

  #restored(outcome: "restored" | "signed-out" | "failed"): void {
    const { options, storage, keys, events } = this.parts;
    const at = options.now();
    const leftAt = Number(storage.get(keys.restore) ?? NaN);
    events.emit("restore", { outcome, at, durationMs: Number.isFinite(leftAt) ? at - leftAt : null });
  }
}
