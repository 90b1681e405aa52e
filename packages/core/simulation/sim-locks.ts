// Web Locks (https://w3c.github.io/web-locks/) for one origin: exclusive locks granted FIFO per
// name, `request(name, options?, callback)` with `ifAvailable`, `signal` and `steal`, and
// `query()`. The lock manager lives in the browser process: a frozen page keeps what it holds, a
// page that dies lets go of everything, and a foreign script can hold a name forever. Grants and
// query answers are tasks (IPC), ordered by the scheduler like everything else.
import type { Loop, Owner } from "./sim-loop.js";
import type { Trace } from "./trace.js";

type Callback = (lock: { name: string; mode: string } | null) => unknown;

interface Request {
  name: string;
  owner: Owner | null;
  callback: Callback;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | null;
}

export interface LockOptions {
  mode?: "exclusive" | "shared";
  ifAvailable?: boolean;
  steal?: boolean;
  signal?: AbortSignal;
}

const abortError = (signal?: AbortSignal) => signal?.reason ?? new DOMException("The request was aborted.", "AbortError");

export class SimLocks {
  readonly #held = new Map<string, Request>();
  readonly #queues = new Map<string, Request[]>();

  constructor(
    private readonly loop: Loop,
    private readonly trace: Trace,
    /** ms between a release and the next grant (IPC between renderer processes). */
    private readonly handover: () => number,
  ) {}

  /** The `navigator.locks` a page sees. */
  managerFor(owner: Owner) {
    return {
      request: (name: string, optionsOrCallback: LockOptions | Callback, maybeCallback?: Callback) => {
        const options = typeof optionsOrCallback === "function" ? {} : optionsOrCallback;
        const callback = (typeof optionsOrCallback === "function" ? optionsOrCallback : maybeCallback) as Callback;
        return this.request(owner, name, options, callback);
      },
      query: () => this.query(owner),
    };
  }

  request(owner: Owner | null, name: string, options: LockOptions, callback: Callback): Promise<unknown> {
    if (owner?.state === "dead") return new Promise(() => undefined);
    return new Promise((resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted) return reject(abortError(signal));
      const request: Request = { name, owner, callback, resolve, reject, signal, onAbort: null };
      const queue = this.#queues.get(name) ?? [];
      this.#queues.set(name, queue);
      if (options.steal) {
        const holder = this.#held.get(name);
        if (holder) {
          this.#held.delete(name);
          holder.reject(new DOMException("The lock was stolen.", "AbortError"));
        }
        this.#grant(request);
        return;
      }
      if (options.ifAvailable && (this.#held.has(name) || queue.length > 0)) {
        this.#invoke(request, false);
        return;
      }
      if (signal) {
        request.onAbort = () => {
          const index = queue.indexOf(request);
          if (index < 0) return;
          queue.splice(index, 1);
          this.trace.line(owner?.label ?? "", `lock ${lockLabel(name)}: request aborted`);
          reject(abortError(signal));
        };
        signal.addEventListener("abort", request.onAbort, { once: true });
      }
      queue.push(request);
      this.#next(name);
    });
  }

  /** A lock a script outside the SDK takes and never releases. */
  holdForever(name: string): void {
    void this.request(null, name, {}, () => new Promise(() => undefined));
  }

  query(owner: Owner): Promise<{ held: Array<{ name: string; mode: string }>; pending: Array<{ name: string; mode: string }> }> {
    return new Promise((resolve) => {
      this.loop.at(this.handover(), owner, "locks.query() answer", () => {
        const held = [...this.#held.keys()].map((name) => ({ name, mode: "exclusive" }));
        const pending = [...this.#queues.values()].flat().map((r) => ({ name: r.name, mode: "exclusive" }));
        resolve({ held, pending });
      });
    });
  }

  /** Whether `owner` holds or waits for any lock (such a page is not put in the back-forward cache). */
  involves(owner: Owner): boolean {
    return [...this.#held.values()].some((r) => r.owner === owner) || [...this.#queues.values()].flat().some((r) => r.owner === owner);
  }

  /** The page died: what it held is released, what it waited for is forgotten. */
  releaseAll(owner: Owner): void {
    for (const [name, queue] of this.#queues) {
      const kept = queue.filter((r) => r.owner !== owner);
      this.#queues.set(name, kept);
    }
    for (const [name, holder] of Array.from(this.#held)) {
      if (holder.owner !== owner) continue;
      this.#held.delete(name);
      this.#next(name);
    }
  }

  #next(name: string): void {
    if (this.#held.has(name)) return;
    const queue = this.#queues.get(name) ?? [];
    const request = queue.shift();
    if (request) this.#grant(request);
  }

  #grant(request: Request): void {
    if (request.signal && request.onAbort) request.signal.removeEventListener("abort", request.onAbort);
    this.#held.set(request.name, request);
    this.#invoke(request, true);
  }

  /** Runs the callback in its page (a task: a frozen page runs it on resume) and releases when it settles. */
  #invoke(request: Request, granted: boolean): void {
    const release = () => {
      if (!granted || this.#held.get(request.name) !== request) return;
      this.#held.delete(request.name);
      this.loop.at(this.handover(), null, `lock ${lockLabel(request.name)}: released`, () => this.#next(request.name));
    };
    if (!request.owner) {
      Promise.resolve(request.callback({ name: request.name, mode: "exclusive" })).then(release, release);
      return;
    }
    this.loop.at(this.handover(), request.owner, `lock ${lockLabel(request.name)}: ${granted ? "granted" : "not available"}`, () => {
      let result: Promise<unknown>;
      try {
        result = Promise.resolve(request.callback(granted ? { name: request.name, mode: "exclusive" } : null));
      } catch (error) {
        result = Promise.reject(error);
      }
      result.then(
        (value) => {
          release();
          request.resolve(value);
        },
        (error: unknown) => {
          release();
          request.reject(error);
        },
      );
    });
  }
}

export const lockLabel = (name: string) => name.replace(/^authpi:[^:]+:/, "").replace(/^(refresh:spent:)(.{6}).*$/, "$1$2…");
