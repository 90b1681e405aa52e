// Many tabs of one origin in one process, on fake timers: a BroadcastChannel
// and Web Locks whose delays the test chooses, so "under load" is a setting,
// not luck. Every delay is a (fake) timer: the fake clock alone orders events.

/**
 * BroadcastChannel between the clients of one test: each message reaches every
 * other open channel after `delay(data)` ms; a channel's first handoff
 * (`rotated`) takes `firstHandoff` ms more, as a page that must still download
 * the SDK's protocol chunk before it can unseal one.
 */
export function fakeBroadcast(delay: (data: unknown) => number = () => 0, firstHandoff = 0) {
  const rooms = new Map<string, Set<FakeChannel>>();
  class FakeChannel {
    onmessage: ((event: { data: unknown }) => void) | null = null;
    #closed = false;
    #handoffs = 0;
    constructor(readonly name: string) {
      const room = rooms.get(name) ?? new Set<FakeChannel>();
      room.add(this);
      rooms.set(name, room);
    }
    postMessage(data: unknown): void {
      if (this.#closed) throw new DOMException("closed", "InvalidStateError");
      for (const other of rooms.get(this.name) ?? []) {
        if (other === this) continue;
        const copy = structuredClone(data);
        const first = (data as { type?: string }).type === "rotated" && other.#handoffs++ === 0;
        setTimeout(() => other.#closed || other.onmessage?.({ data: copy }), delay(data) + (first ? firstHandoff : 0));
      }
    }
    close(): void {
      this.#closed = true;
      rooms.get(this.name)?.delete(this);
    }
  }
  return FakeChannel;
}

/**
 * Web Locks' exclusive mode with `signal` and `ifAvailable`: one holder per name, the rest wait
 * in order (or get `null` at once with `ifAvailable`); a waiter whose signal aborts leaves the queue with an AbortError.
 * `handover()` ms pass between one holder's release and the next grant (IPC
 * between renderer processes, a busy machine).
 */
export function fakeLocks(handover: () => number = () => 0) {
  const queues = new Map<string, Array<() => void>>();
  const held = new Set<string>();
  const next = (name: string) => {
    const grant = queues.get(name)?.shift();
    if (grant) grant();
    else held.delete(name);
  };
  return {
    request<T>(name: string, options: { signal?: AbortSignal; ifAvailable?: boolean }, task: (lock: { name: string } | null) => Promise<T>): Promise<T> {
      if (options.ifAvailable && held.has(name)) return Promise.resolve().then(() => task(null));
      return new Promise<T>((resolve, reject) => {
        const queue = queues.get(name) ?? [];
        queues.set(name, queue);
        const grant = () => {
          options.signal?.removeEventListener("abort", abort);
          Promise.resolve()
            .then(() => task({ name }))
            .then(resolve, reject)
            .finally(() => setTimeout(() => next(name), handover()));
        };
        const abort = () => {
          const index = queue.indexOf(grant);
          if (index >= 0) queue.splice(index, 1);
          reject(new DOMException("aborted", "AbortError"));
        };
        options.signal?.addEventListener("abort", abort, { once: true });
        if (held.has(name)) queue.push(grant);
        else {
          held.add(name);
          grant();
        }
      });
    },
  };
}
