// `vite build` of one entry of the consumer project, and the JavaScript it emitted.
//
// Each build gets a root of its own, sites/<name>/, holding only an index.html that loads the
// entry (Vite builds a root's index.html; there is no CLI flag for another page), so builds of
// several entries and modes sit side by side in dist/<name>/. No Vite config and no plugins:
// what a user gets from a bare `vite build`.
import { mkdir, readFile, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "./processes.js";

export interface ViteBuild {
  /** Every emitted .js chunk, joined: what a browser may download. */
  js: string;
  /** "<chunk> <bytes> bytes" for each chunk, for the log. */
  sizes: string[];
}

/**
 * Builds `entry` (a path relative to `app`, e.g. src/main.tsx) for `mode`, with NODE_ENV set to
 * the same: Vite replaces `process.env.NODE_ENV` in every module, dependencies included, by the
 * NODE_ENV it runs under. `--mode development` alone would not do: a `vite build` without
 * NODE_ENV in its environment sets it to "production" whatever the mode (Vite's own table of
 * modes). The development build is what `NODE_ENV=development vite build --mode development`
 * gives, as close to the dev server's module graph as a bundle gets.
 */
export async function viteBuild(app: string, name: string, entry: string, mode: "production" | "development"): Promise<ViteBuild> {
  const root = join(app, "sites", name);
  await mkdir(root, { recursive: true });
  await writeFile(join(root, "index.html"), `<!doctype html>\n<html><body><div id="root"></div><script type="module" src="../../${entry}"></script></body></html>\n`);
  await run(join(app, "node_modules/.bin/vite"), ["build", root, "--mode", mode, "--outDir", join(app, "dist", name), "--emptyOutDir", "--logLevel", "warn"], app, { NODE_ENV: mode });
  const assets = join(app, "dist", name, "assets");
  const chunks = (await readdir(assets)).filter((file) => file.endsWith(".js"));
  return {
    js: (await Promise.all(chunks.map((file) => readFile(join(assets, file), "utf8")))).join("\n"),
    sizes: await Promise.all(chunks.map(async (file) => `${file} ${(await stat(join(assets, file))).size} bytes`)),
  };
}
