// The one list of every package's test project. Vitest 4 no longer reads this
// file by itself: vitest.config.ts imports it.
import { fileURLToPath } from "node:url";
import { defineProject, type TestProjectConfiguration } from "vitest/config";

// Tests and the demo run on `src/` through this export condition: no build step.
const sourceCondition = {
  resolve: { conditions: ["@authpi/source", "module", "browser", "development|production"] },
  ssr: { resolve: { conditions: ["@authpi/source", "module", "node", "development|production"] } },
};

// The react18 and devtools-react18 projects run the same files on React 18, installed by the
// private workspace package packages/react/test/react18 (its own importer, so react-dom@18
// gets react@18 as its peer). node_modules are externalized: every entry point
// must point at that copy, or a test would load two Reacts.
const react18Modules = fileURLToPath(new URL("./packages/react/test/react18/node_modules/", import.meta.url));
const react18Alias = [
  { find: /^react(\/.*)?$/, replacement: `${react18Modules}react$1` },
  { find: /^react-dom(\/.*)?$/, replacement: `${react18Modules}react-dom$1` },
  { find: /^@testing-library\/react$/, replacement: `${react18Modules}@testing-library/react` },
];
// The same files on each React; REACT_MAJOR lets a test check which React it really got
// (react-version.test.tsx, which the devtools projects run too).
const reactTest = (name: string, reactMajor: string, root = "packages/react") => ({
  name,
  root,
  include: ["test/**/*.test.{ts,tsx}", ...(root === "packages/react" ? [] : ["../react/test/react-version.test.tsx"])],
  environment: "happy-dom",
  env: { REACT_MAJOR: reactMajor },
});

export const projects: TestProjectConfiguration[] = [
  defineProject({
    ...sourceCondition,
    test: { name: "core", root: "packages/core", include: ["test/**/*.test.ts"], environment: "node" },
  }),
  // The deterministic simulation of many tabs (packages/core/simulation): the real client in 1–10
  // tabs against a simulated browser, network and IdP. `pnpm test` runs 200 seeds; `pnpm simulate`
  // runs more, or replays one (`--seed S`). Two files, one per core.
  defineProject({
    ...sourceCondition,
    test: {
      name: "simulation",
      root: "packages/core",
      include: ["simulation/**/*.test.ts"],
      setupFiles: ["simulation/mocks.ts"],
      environment: "node",
      testTimeout: 900_000,
    },
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
  defineProject({
    ...sourceCondition,
    test: reactTest("react", "19"),
  }),
  defineProject({
    ...sourceCondition,
    resolve: { ...sourceCondition.resolve, alias: react18Alias },
    test: reactTest("react18", "18"),
  }),
  defineProject({
    ...sourceCondition,
    test: reactTest("devtools", "19", "packages/devtools"),
  }),
  defineProject({
    ...sourceCondition,
    resolve: { ...sourceCondition.resolve, alias: react18Alias },
    test: reactTest("devtools-react18", "18", "packages/devtools"),
  }),
  defineProject({
    ...sourceCondition,
    test: {
      name: "browser",
      root: "apps/demo",
      include: ["e2e/*.test.ts"],
      environment: "node",
      // Each file starts its own IdP, Vite server and Chromium: one file at a
      // time, after the unit projects, so two cores are not fought over.
      fileParallelism: false,
      sequence: { groupOrder: 1 },
      testTimeout: 90_000,
      hookTimeout: 120_000,
    },
  }),
  // The session scenarios in Chromium, Firefox ESR and WebKitGTK (apps/demo/e2e/engines): one
  // IdP, one Vite server, the engines one after another. After `browser`, never beside it.
  defineProject({
    ...sourceCondition,
    test: {
      name: "engines",
      root: "apps/demo",
      include: ["e2e/engines/*.test.ts"],
      environment: "node",
      sequence: { groupOrder: 2 },
      testTimeout: 90_000,
      hookTimeout: 120_000,
    },
  }),
  // The example apps (apps/examples/*) in Chromium: one IdP, one Chromium and a Vite server per
  // example for the one file. After the demo's browser project, never beside it.
  defineProject({
    ...sourceCondition,
    test: {
      name: "examples",
      root: "apps/examples",
      include: ["e2e/**/*.test.ts"],
      environment: "node",
      sequence: { groupOrder: 3 },
      testTimeout: 90_000,
      hookTimeout: 120_000,
    },
  }),
  // The packages as users get them: packed (building dist/), npm-installed in a project under
  // os.tmpdir(), type-checked with the READMEs' `app` blocks, built with Vite, loaded in Node.
  // Plain Node resolution (no source condition). Last and alone: it packs, installs and builds.
  defineProject({
    test: {
      name: "packed",
      root: "apps/packed-install",
      include: ["*.test.ts"],
      environment: "node",
      sequence: { groupOrder: 4 },
      testTimeout: 180_000,
      hookTimeout: 240_000,
    },
  }),
];
