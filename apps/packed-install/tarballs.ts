// `pnpm pack` of one workspace package, and what a consumer of its tarball relies on.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { pnpm, repo, run } from "./processes.js";

export interface Packed {
  /** Its directory under packages/. */
  dir: string;
  name: string;
  version: string;
  /** The tarball's absolute path. */
  filename: string;
  files: { path: string }[];
  bytes: number;
  /** The package.json inside the tarball, as pnpm rewrote it (no `workspace:` left, we check). */
  manifest: Record<string, unknown>;
}

// Packs packages/<dir> into destination; its `prepack` builds its dist/ (and its dependencies').
export async function pack(dir: string, destination: string): Promise<Packed> {
  const out = await run(pnpm[0], [...pnpm[1], "pack", "--json", "--pack-destination", destination], join(repo, "packages", dir));
  // The build's own output comes first; pnpm's JSON is the last thing printed.
  const json = JSON.parse(out.slice(out.lastIndexOf("\n{") + 1)) as { name: string; version: string; filename: string; files: { path: string }[] };
  const filename = join(destination, json.filename.split("/").pop() ?? "");
  const tar = await run("tar", ["-xzOf", filename, "package/package.json"], destination);
  return {
    dir,
    name: json.name,
    version: json.version,
    filename,
    files: json.files,
    bytes: (await stat(filename)).size,
    manifest: JSON.parse(tar) as Record<string, unknown>,
  };
}

// Every path a package.json points a consumer at: exports (all conditions except the
// workspace-only source one), types, main, module, bin.
export function targets(manifest: Record<string, unknown>): string[] {
  const found: string[] = [];
  const walk = (value: unknown, key: string): void => {
    if (key === "@authpi/source") return;
    if (typeof value === "string") found.push(value);
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, k);
  };
  for (const field of ["exports", "types", "main", "module", "bin"]) walk(manifest[field], field);
  return [...new Set(found.map((path) => path.replace(/^\.\//, "")))];
}
