import { defineConfig } from "vitest/config";
import { projects } from "./vitest.workspace.js";

export default defineConfig({
  test: {
    projects,
    // Two cores here: the browser and IdP projects each run their files one at a time.
    maxWorkers: 2,
  },
});
