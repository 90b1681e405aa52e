// The second half of the seeds, so that vitest runs the two halves on both cores.
import { expect, it } from "vitest";
import { explore, report, seedsFor } from "./explore.js";

it("holds every invariant (seeds, second half)", async () => {
  const seeds = seedsFor(1);
  const summary = await explore({ seeds });
  console.log(report("second-half", summary));
  expect(summary.failing.map((f) => `seed ${f.seed}: invariants ${f.invariants.join(",")}: ${f.first}`)).toEqual([]);
});
