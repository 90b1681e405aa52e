/**
 * The timers the SDK arms (refresh, retries, waits for another tab), behind a
 * replaceable provider, as TanStack Query's `timeoutManager`: tests and
 * unusual runtimes swap the implementation without the SDK reaching for
 * globals. The default looks `setTimeout` up on every call, so fake timers
 * installed after import still apply.
 */
export interface TimerProvider {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemTimers: TimerProvider = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

let provider = systemTimers;

export const timers = {
  setTimeout: (callback: () => void, ms: number): unknown => provider.setTimeout(callback, ms),
  clearTimeout: (handle: unknown): void => provider.clearTimeout(handle),
  /** Replace the timers (`null` restores the system's). */
  setProvider(next: TimerProvider | null): void {
    provider = next ?? systemTimers;
  },
};

/** Resolves after `ms`; the wait is a timer, never a poll of the clock. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => timers.setTimeout(resolve, ms));
}

/** `promise`, or `undefined` once `ms` have passed; the timer is cleared either way. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: unknown;
  const timeout = new Promise<undefined>((resolve) => (timer = timers.setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise, timeout]).finally(() => timers.clearTimeout(timer));
}
