#!/usr/bin/env node
// The package runs from its TypeScript source (this repo has no build step, and Node 20 cannot
// strip types itself), so tsx compiles src/cli.ts on import. tsImport scopes the loader to this
// one import instead of hooking every module in the process.
import { tsImport } from "tsx/esm/api";

await tsImport("../src/cli.ts", import.meta.url);
