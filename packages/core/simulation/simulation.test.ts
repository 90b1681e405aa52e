// The simulation's first half of the seeds (and the one replayed with `pnpm simulate --seed`);
// simulation-second-half.test.ts runs the rest in the other worker.
import { expect, it } from "vitest";
import fc from "fast-check";
import { explore, report, seedsFor } from "./explore.js";
import { runScenario } from "./run.js";
import { scenarioArbitrary } from "./scenario.js";

it("a seed replays exactly: the same trace twice", async () => {
  const traceOf = async () => {
    let lines: string[] = [];
    await fc.check(
      fc.asyncProperty(fc.scheduler(), scenarioArbitrary, async (s, scenario) => {
        lines = (await runScenario(s, scenario)).trace.lines;
      }),
      { seed: 137, numRuns: 1 },
    );
    return lines;
  };
  const first = await traceOf();
  expect(first.length).toBeGreaterThan(100);
  expect(await traceOf()).toEqual(first);
});

it("holds every invariant (seeds, first half)", async () => {
  const summary = await explore({ seeds: seedsFor(0), path: process.env.SIM_PATH, shrink: process.env.SIM_SHRINK === "1" });
  console.log(report("first-half", summary));
  expect(summary.failing.map((f) => `seed ${f.seed}: invariants ${f.invariants.join(",")}: ${f.first}`)).toEqual([]);
});
