/**
 * What tells the SDK to look at the wall clock again. Timers in hidden tabs
 * are throttled, a frozen page runs none, and during sleep nothing runs at
 * all: when the page is back (visible, focused, online, restored from the
 * back-forward cache, resumed after a freeze) the refresh schedule is judged
 * anew. Replaceable, as TanStack Query's `focusManager`, for runtimes that
 * have no `window` (React Native's AppState, an extension's alarms).
 */
export type WakeReason = "visible" | "online" | "pageshow" | "resume" | "storage";
export type WakeSetup = (wake: (reason: WakeReason) => void) => () => void;

const browserWakeEvents: WakeSetup = (wake) => {
  if (typeof window === "undefined" || typeof document === "undefined") return () => undefined;
  const onVisible = () => {
    if (document.visibilityState !== "hidden") wake("visible");
  };
  const onOnline = () => wake("online");
  const onPageShow = () => wake("pageshow");
  const onResume = () => wake("resume");
  // Another tab wrote localStorage (a logout's new epoch among others): a lost broadcast costs nothing.
  const onStorage = () => wake("storage");
  const events: Array<[EventTarget, string, () => void]> = [
    [document, "visibilitychange", onVisible],
    [window, "focus", onVisible],
    [window, "online", onOnline],
    [window, "pageshow", onPageShow],
    [document, "resume", onResume],
    [window, "storage", onStorage],
  ];
  for (const [target, name, listener] of events) target.addEventListener(name, listener);
  return () => {
    for (const [target, name, listener] of events) target.removeEventListener(name, listener);
  };
};

let setup = browserWakeEvents;

export const wakeEvents = {
  /** Starts listening; returns the function that stops. */
  listen: (wake: (reason: WakeReason) => void): (() => void) => setup(wake),
  /** Replace the source of wake-ups (`null` restores the browser's). */
  setEventListener(next: WakeSetup | null): void {
    setup = next ?? browserWakeEvents;
  },
};
