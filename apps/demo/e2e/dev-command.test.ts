// `pnpm dev` as a person runs it in a terminal: its own process group, stopped by Ctrl-C, which
// the terminal sends to the whole group. pnpm runs a script through `sh -c`; a shell killed by
// that SIGINT made pnpm print "ELIFECYCLE Command failed" and exit 130 although the script itself
// stopped cleanly with 0. The scripts `exec` node so nothing but the script stands in between.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
// The pnpm running this suite: `pnpm test` names it in npm_execpath; under `npx -y pnpm@10 …` npx
// put its copy first on PATH. pnpm itself is started, as `pnpm dev` in a terminal (npx's own
// `sh -c` around it would be what Ctrl-C kills).
const execPath = process.env.npm_execpath ?? "";
const pnpm: [string, string[]] = /pnpm\.c?js$/.test(execPath) ? [process.execPath, [execPath]] : ["pnpm", []];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

it("Ctrl-C on `pnpm dev` stops the IdP and the demo with exit code 0 and no ELIFECYCLE", async () => {
  const [demoPort, idpPort] = [await freePort(), await freePort()];
  const env = { ...process.env, AUTHPI_DEMO_PORT: String(demoPort), AUTHPI_IDP_PORT: String(idpPort), NODE_ENV: "development" };
  const child = spawn(pnpm[0], [...pnpm[1], "dev"], { cwd: repo, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  try {
    const deadline = Date.now() + 60_000;
    while (!output.includes("Ctrl-C stops both.") && child.exitCode === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(output).toContain(`http://127.0.0.1:${demoPort}`);
  } finally {
    // The terminal's Ctrl-C: SIGINT to every process of the group.
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGINT");
  }
  const [code, signal] = await exited;
  expect({ code, signal }).toEqual({ code: 0, signal: null });
  expect(output).not.toContain("ELIFECYCLE");
});
