import type { AuthenticatedAgent } from "@authpi/core";
import { useNow } from "../hooks/useNow";
import { formatCountdown } from "../format";

/**
 * Seconds left on the access token, ticking each second. Deliberately not a
 * live region: a screen reader announcing every second would be noise.
 */
export function ExpiryCountdown({ agent }: { agent: AuthenticatedAgent }) {
  useNow(1000);
  const seconds = agent.expiresIn;
  return (
    <span className={seconds < 30 ? "countdown soon" : "countdown"} data-testid="expires-in" data-seconds={seconds}>
      {formatCountdown(seconds)}
    </span>
  );
}
