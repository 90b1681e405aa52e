// The IdP's clock as this device sees it. An ID token's times (exp, nbf, iat,
// auth_time: OIDC Core §3.1.3.7 steps 9, 10 and 13) are the IdP's: judged on a
// device clock minutes off, every fresh token fails, and a wider leeway would
// let stale tokens through on every device instead.
//
// The offset comes from the token response's `Date` (RFC 9110 §6.6.1): the
// origin server's clock when it answered, independent of the token being
// judged, so an expired token still fails. Never from the token's own `iat`: a
// stale token with a consistent iat and exp would pass for skew, the very case
// `exp` is there for. Nor from discovery or the JWKS, which may come from a
// cache with a Date hours old; a token response may not be cached
// (`Cache-Control: no-store`, RFC 6749 §5.1). Across origins a browser shows
// `Date` only when the IdP sends `Access-Control-Expose-Headers: Date`; without
// it the offset stays 0 and `clockSkewSeconds` alone applies.
// Refresh timing does not use it: that runs on the device's clock, from the
// time of receipt plus `expires_in`.

/** Beyond a day it is a broken header, not a clock that is off (a wrong time zone stays within 14 h). */
const MAX_OFFSET_MS = 86_400_000;


export class IdpClock {
  /** IdP time minus device time, ms. */
  #offset = 0;

  constructor(private readonly now: () => number) {}

  /** The IdP's time now, ms. */
  idpNow(): number {
    return this.idpAt(this.now());
  }

  /** The IdP's time when the device's clock showed `deviceMs`. */
  idpAt(deviceMs: number): number {
    return deviceMs + this.#offset;
  }

  /** An IdP time (unix seconds, e.g. a claim) on the device's clock. */
  local(seconds: number): number {
    return Math.floor(seconds - this.#offset / 1000);
  }

  /** Learns the offset from the `Date` of an answer to a request sent at `sentAt` (device ms); an unusable one changes nothing. */
  observe(response: Response, sentAt: number): void {
    // Stamped somewhere between our send and our receipt, truncated to the second: the offset is
    // at least `low` and at most `high`. NaN (no header, garbage) fails the range check.
    const date = Date.parse(response.headers.get("date") ?? "");
    const low = date - this.now();
    const high = date + 1_000 - sentAt;
    if (!(Math.abs(low) < MAX_OFFSET_MS && Math.abs(high) < MAX_OFFSET_MS)) return;
    // A short round trip: its middle. A long one (a page frozen while the answer waited) tells too
    // little to replace the offset: it only moves one it rules out (a device clock that jumped)
    // to the nearest value it allows.
    this.#offset = high - low < 10_000 ? (low + high) / 2 : Math.min(Math.max(this.#offset, low), high);
  }
}
