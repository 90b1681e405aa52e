const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const date = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric" });

/** `1 min 05 s`, `42 s`; `expired` once negative. */
export function formatCountdown(seconds: number): string {
  if (seconds < 0) return "expired";
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return minutes > 0 ? `${minutes} min ${String(rest).padStart(2, "0")} s` : `${rest} s`;
}

export function formatTime(ms: number): string {
  return time.format(ms);
}

export function formatDate(ms: number): string {
  return date.format(ms);
}
