// Child processes for the packed project: pnpm, npm, tsc, vite and node, run outside the
// workspace with an environment of their own, each logged with its duration.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const repo = fileURLToPath(new URL("../../", import.meta.url));

const pnpmVersion = (JSON.parse(await readFile(join(repo, "package.json"), "utf8")) as { packageManager: string }).packageManager;
// The pnpm that runs `pnpm test` when there is one (saves npx's start-up), else the repo's own.
const execPath = process.env.npm_execpath ?? "";
export const pnpm: [string, string[]] = /pnpm(\.c?js)?$/.test(execPath)
  ? /\.c?js$/.test(execPath) ? [process.execPath, [execPath]] : [execPath, []]
  : ["npx", ["-y", pnpmVersion]];

export function log(line: string): void {
  console.log(`[packed] ${line}`);
}

// Children get a clean environment: no npm_*/pnpm settings of the pnpm run that started
// Vitest (npm would honour them), and no NODE_ENV=test from Vitest (Vite and React read it).
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    if (lower.startsWith("npm_") && !["npm_config_registry", "npm_config_cache", "npm_config_userconfig"].includes(lower)) continue;
    if (lower.startsWith("pnpm_") || key === "NODE_ENV" || key.startsWith("VITEST") || key === "NODE_OPTIONS") continue;
    env[key] = value;
  }
  return env;
}

/** Runs a command to its end and resolves with its stdout; `env` adds to the clean environment. */
export async function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const started = performance.now();
  const shown = [...Object.entries(env).map(([key, value]) => `${key}=${value}`), command, ...args].join(" ");
  return await new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: { ...childEnv(), ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const where = relative(repo, cwd).startsWith("..") ? cwd : relative(repo, cwd) || ".";
      if (error) {
        reject(new Error(`${shown} (in ${where}) failed after ${seconds} s:\n${stdout}\n${stderr}`));
        return;
      }
      log(`${shown}  (${where}, ${seconds} s)`);
      resolve(stdout);
    });
  });
}
