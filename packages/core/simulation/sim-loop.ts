// The simulation's one clock and one queue. Every asynchronous thing the browser or the network
// would do (a timer, a channel message, a lock grant, a fetch answer, a localStorage write reaching
// another process) is a task at a simulated time. Tasks due at the current instant are handed to
// fast-check's scheduler, which picks their order from the seed; the clock moves to the next task
// only when nothing is runnable. Between two tasks every promise chain they started runs to its
// end (one setImmediate drains the microtask queue: nothing here waits on I/O or the thread pool).
import { AsyncLocalStorage } from "node:async_hooks";
import type { Scheduler } from "fast-check";
import type { Trace } from "./trace.js";

/** Who a task belongs to: a page (frozen pages hold their tasks, dead ones drop them) or the browser/IdP (`null`). */
export interface Owner {
  readonly label: string;
  readonly state: "loading" | "running" | "frozen" | "bfcache" | "dead";
  /** Tasks that came due while frozen or in the back-forward cache, released on resume. */
  readonly held: Task[];
}

export interface Task {
  at: number;
  seq: number;
  owner: Owner | null;
  label: string;
  /** `message`: a BroadcastChannel delivery, lost when the page is in the back-forward cache. */
  kind: "timer" | "message" | "io";
  run: () => void;
  cancelled: boolean;
  /** Called instead of `run` when the owner died first (a fetch answer nobody receives). */
  onDrop?: () => void;
}

/** The page whose code is running: the browser globals (location, storage, channels, locks) are its. */
export const currentPage = new AsyncLocalStorage<Owner>();

const drain = () => new Promise<void>((resolve) => setImmediate(resolve));

export class Loop {
  /** True time, ms since the epoch: the IdP's clock. Devices add their skew (sim-browser.ts). */
  now: number;
  #queue: Task[] = [];
  #seq = 0;
  events = 0;
  /** The owner of the task being run, for the checks after it. */
  lastOwner: Owner | null = null;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly trace: Trace,
    start: number,
  ) {
    this.now = start;
  }

  at(delayMs: number, owner: Owner | null, label: string, run: () => void, kind: Task["kind"] = "io", onDrop?: () => void): Task {
    const task: Task = { at: this.now + Math.max(0, delayMs), seq: this.#seq++, owner, label, kind, run, cancelled: false, ...(onDrop ? { onDrop } : {}) };
    // Binary insertion: (at, seq) order; same-instant order is the scheduler's anyway.
    let lo = 0;
    let hi = this.#queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const other = this.#queue[mid] as Task;
      if (other.at < task.at || (other.at === task.at && other.seq < task.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.#queue.splice(lo, 0, task);
    return task;
  }

  /** A held task (its page was frozen) becomes runnable now. */
  release(task: Task): void {
    task.at = this.now;
    this.#hand(task);
  }

  #hand(task: Task): void {
    if (task.cancelled) return;
    void this.scheduler.schedule(Promise.resolve(), task.label).then(() => this.#fire(task));
  }

  #fire(task: Task): void {
    if (task.cancelled) return;
    const owner = task.owner;
    if (owner && owner.state === "dead") {
      task.onDrop?.();
      return;
    }
    if (owner && (owner.state === "frozen" || owner.state === "bfcache")) {
      if (owner.state === "bfcache" && task.kind === "message") return;
      owner.held.push(task);
      return;
    }
    this.events += 1;
    this.lastOwner = owner;
    this.trace.line(owner?.label ?? "", task.label);
    try {
      if (owner) currentPage.run(owner, task.run);
      else currentPage.exit(task.run);
    } catch (error) {
      this.trace.line(owner?.label ?? "", `threw ${String(error)}`);
    }
  }

  /** Runs every task up to `until` (true time), calling `afterEach` once each task's promise chains have settled. */
  async runUntil(until: number, afterEach: () => void): Promise<void> {
    for (;;) {
      await drain();
      while (this.#queue.length > 0 && (this.#queue[0] as Task).at <= this.now) this.#hand(this.#queue.shift() as Task);
      if (this.scheduler.count() > 0) {
        this.lastOwner = null;
        await this.scheduler.waitNext(1);
        await drain();
        afterEach();
        continue;
      }
      const next = this.#queue[0];
      if (!next || next.at > until) {
        this.now = Math.max(this.now, until);
        return;
      }
      this.now = next.at;
    }
  }
}
