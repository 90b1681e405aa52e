const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/** `14:03:07.215`, local time. */
export function clockTime(ms: number): string {
  const date = new Date(ms);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** `1h 02m 03s`, `4m 05s`, `9s`: whole seconds, rounded down. */
export function duration(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours}h ${pad(minutes)}m ${pad(seconds)}s`;
  if (minutes > 0) return `${minutes}m ${pad(seconds)}s`;
  return `${seconds}s`;
}

/** `in 4m 05s`, or once past `expired 9s ago` (`past` names the event), from `now` to `at` (both ms). */
export function countdown(at: number, now: number, past = "expired"): string {
  return at >= now ? `in ${duration(at - now)}` : `${past} ${duration(now - at)} ago`;
}
