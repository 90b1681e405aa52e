// Runs a range of seeds, one fast-check run each (fc.check with `seed`, `numRuns: 1`), and keeps
// going past failures so that a run counts them all. A failing seed prints its violations and
// trace; `pnpm simulate --seed S` replays exactly that run (with `--path P`, the shrunk one
// `--shrink` found).
import fc from "fast-check";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runScenario, type RunResult } from "./run.js";
import { scenarioArbitrary } from "./scenario.js";

export interface Summary {
  seeds: number;
  tabs: number;
  events: number;
  violations: number;
  counted: Record<string, number>;
  /** The seeds of each counted kind (allowed losses, ambiguities, observations), to replay them. */
  countedSeeds: Record<string, number[]>;
  /** Failing seeds, with the invariants each broke. */
  failing: Array<{ seed: number; path?: string; invariants: number[]; first: string }>;
  /** Violations by kind (the text with tokens, tabs and numbers blanked out), with their seeds. */
  kinds: Record<string, number[]>;
  ms: number;
}

export interface ExploreOptions {
  seeds: number[];
  path?: string | undefined;
  shrink?: boolean;
  /** How many failing seeds get their trace printed (a single replayed seed always does, in full). */
  traces?: number;
}

async function runOne(seed: number, path: string | undefined, shrink: boolean): Promise<{ result: RunResult; path?: string; error?: unknown }> {
  let last: RunResult | undefined;
  const property = fc.asyncProperty(fc.scheduler(), scenarioArbitrary, async (scheduler, scenario) => {
    last = await runScenario(scheduler, scenario);
    return last.violations.length === 0;
  });
  const details = await fc.check(property, { seed, numRuns: 1, endOnFailure: !shrink, ...(path ? { path } : {}) });
  if (shrink && details.failed && details.counterexamplePath) {
    // The last run fast-check made is not necessarily the minimal one: replay the path it reports.
    const replay = await runOne(seed, details.counterexamplePath, false);
    return { ...replay, path: details.counterexamplePath };
  }
  if (!last) throw new Error(`seed ${seed}: no run happened`);
  return { result: last, ...(details.errorInstance && !details.failed ? {} : {}), error: details.failed && last.violations.length === 0 ? details.errorInstance : undefined };
}

export async function explore(options: ExploreOptions): Promise<Summary> {
  const started = performance.now();
  const summary: Summary = { seeds: 0, tabs: 0, events: 0, violations: 0, counted: {}, countedSeeds: {}, failing: [], kinds: {}, ms: 0 };
  const single = options.seeds.length === 1;
  let traced = 0;
  for (const seed of options.seeds) {
    const { result, path, error } = await runOne(seed, options.path, options.shrink ?? false);
    summary.seeds += 1;
    summary.tabs += result.tabs;
    summary.events += result.events;
    for (const [kind, n] of Object.entries(result.counted)) {
      summary.counted[kind] = (summary.counted[kind] ?? 0) + n;
      summary.countedSeeds[kind] = [...(summary.countedSeeds[kind] ?? []), seed];
    }
    if (error) {
      summary.violations += 1;
      summary.failing.push({ seed, invariants: [0], first: `simulator error: ${String(error)}` });
      console.log(`seed ${seed}: SIMULATOR ERROR ${String((error as Error)?.stack ?? error)}\n${result.trace.text(80)}`);
      continue;
    }
    if (result.violations.length === 0) {
      if (single) console.log(`seed ${seed}: no violation (${result.events} events, ${result.tabs} tabs)\n${result.trace.text()}`);
      continue;
    }
    summary.violations += result.violations.length;
    for (const v of result.violations) {
      const kind = `invariant ${v.invariant}: ${v.what.replace(/[\w-]*\d[\w.-]*/g, "#")}`;
      summary.kinds[kind] = [...new Set([...(summary.kinds[kind] ?? []), seed])];
    }
    const invariants = [...new Set(result.violations.map((v) => v.invariant))].sort();
    const first = result.violations[0]!;
    summary.failing.push({ seed, ...(path ? { path } : {}), invariants, first: `${first.page} ${first.what}` });
    if (single || traced < (options.traces ?? 3)) {
      traced += 1;
      const lines = result.violations.map((v) => `  invariant ${v.invariant} at ${((v.at - Date.UTC(2026, 10, 28, 12)) / 1000).toFixed(3)} s ${v.page}: ${v.what}`);
      console.log(
        [`seed ${seed}${path ? ` path ${path}` : ""}: ${result.violations.length} violation(s) — replay: pnpm simulate --seed ${seed}${path ? ` --path ${path}` : ""}`, ...lines, result.trace.text(single ? undefined : 120)].join("\n"),
      );
    }
  }
  summary.ms = performance.now() - started;
  return summary;
}

/** The seeds this file runs: its half of SIM_SEEDS (default 200), or the one SIM_SEED. */
/**
 * Seeds that found client bugs, run whatever the range: on the old protocol (defects 1, 2, 4
 * and 9 of issue 19: 15, 48, 76, 140, 148, 154, 177) and on the first version of the new one
 * (the spent-token claim let go early, a handoff given up on too soon, a stale handoff's expired
 * token returned, the scheduler blind to the logout epoch, a login begun before a logout applied
 * after it, another lineage left unrevoked at logout, a lagging ledger trusted over a long-held
 * claim, an expired token returned within the floor while shared storage had a newer one:
 * docs/session-protocol.md).
 */
export const REGRESSION_SEEDS = [15, 48, 76, 108, 140, 148, 154, 177, 187, 227, 275, 355, 380, 410, 474, 514, 545, 642, 721, 800, 1136, 1163, 1492, 1539, 1606, 1615, 1650, 1685, 1882, 4112, 4660, 5494, 6222, 6679, 7164, 7184, 7470, 7629, 10356, 10824, 11124, 11587];

/** Half `part` of the seeds to run: `SIM_SEEDS` (default 1,000 under `pnpm test`) from `SIM_FIRST_SEED`, and the regression seeds. */
export function seedsFor(part: 0 | 1): number[] {
  const one = process.env.SIM_SEED;
  if (one) return part === 0 ? [Number(one)] : [];
  const total = Number(process.env.SIM_SEEDS ?? 1_000);
  const first = Number(process.env.SIM_FIRST_SEED ?? 1);
  const half = Math.ceil(total / 2);
  const from = part === 0 ? first : first + half;
  const to = part === 0 ? first + half : first + total;
  const range = Array.from({ length: to - from }, (_, i) => from + i);
  const extra = part === 1 ? REGRESSION_SEEDS.filter((seed) => seed < first || seed >= first + total) : [];
  return [...range, ...extra];
}

export function report(name: string, summary: Summary): string {
  const dir = process.env.SIM_REPORT_DIR;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(summary));
  }
  return formatSummary(summary);
}

export function formatSummary(summary: Summary): string {
  const byInvariant = new Map<number, number[]>();
  for (const failing of summary.failing) for (const invariant of failing.invariants) byInvariant.set(invariant, [...(byInvariant.get(invariant) ?? []), failing.seed]);
  const lines = [...byInvariant].sort(([a], [b]) => a - b).map(([invariant, seeds]) => `  invariant ${invariant}: ${seeds.length} seeds (${seeds.slice(0, 12).join(", ")}${seeds.length > 12 ? ", …" : ""})`);
  const counted = Object.entries(summary.counted).map(([kind, n]) => `  ${n} × ${kind}`);
  const allowed = Object.entries(summary.counted).filter(([kind]) => kind.startsWith("allowed")).reduce((sum, [, n]) => sum + n, 0);
  return [
    ...lines,
    ...counted,
    `simulation: ${summary.seeds} seeds, ${summary.tabs} tabs, ${summary.events} events, ${summary.violations} invariant violations (${allowed} allowed losses) in ${(summary.ms / 1000).toFixed(1)} s`,
  ].join("\n");
}
