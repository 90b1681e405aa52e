// The one list of every package's test project. Vitest 4 no longer reads this
// file by itself: vitest.config.ts imports it.
import { defineProject, type TestProjectConfiguration } from "vitest/config";

// Tests and the demo run on `src/` through this export condition: no build step.
const sourceCondition = {
  resolve: { conditions: ["@authpi/source", "module", "browser", "development|production"] },
  ssr: { resolve: { conditions: ["@authpi/source", "module", "node", "development|production"] } },
};

export const projects: TestProjectConfiguration[] = [
  defineProject({
    ...sourceCondition,
    test: { name: "core", root: "packages/core", include: ["test/**/*.test.ts"], environment: "node" },
  }),
  defineProject({
    ...sourceCondition,
    test: {
      name: "dev-idp",
      root: "packages/dev-idp",
      include: ["test/**/*.test.ts"],
      environment: "node",
      testTimeout: 20_000,
    },
  }),
];
