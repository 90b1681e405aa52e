// One line per event: simulated time since the start, who (tab and page), what happened.
// Kept for every run (cheap strings), printed only for a failing seed.
export class Trace {
  readonly lines: string[] = [];

  constructor(
    private readonly clock: () => number,
    private readonly start: number,
  ) {}

  line(who: string, what: string): void {
    const t = ((this.clock() - this.start) / 1000).toFixed(3).padStart(9);
    this.lines.push(`${t}s ${who.padEnd(8)} ${what}`);
  }

  /** The last `limit` lines (a long run's start rarely matters; `--seed` prints it all). */
  text(limit = Number.POSITIVE_INFINITY): string {
    const from = Math.max(0, this.lines.length - limit);
    return (from > 0 ? [`  … ${from} earlier lines (replay with --seed for all)`] : []).concat(this.lines.slice(from)).join("\n");
  }
}

/** A token or long value, short enough for a trace line. */
export const short = (value: string | null | undefined): string => (value == null ? "-" : value.length > 14 ? `${value.slice(0, 12)}…` : value);
