import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
// Not the package root: this file needs no provider in-process, only the CLI's.
import { scriptedLogin } from "../src/scripted-login.js";
import { type Discovery, authorizationRequest } from "./helpers.js";

const BIN = fileURLToPath(new URL("../bin/authpi-dev-idp.js", import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const output = { stdout: "", stderr: "" };
  child.stdout.on("data", (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output.stderr += chunk.toString()));
  return { child, output };
}

async function waitFor(child: ChildProcess, output: { stdout: string }, text: string): Promise<void> {
  while (!output.stdout.includes(text)) {
    if (child.exitCode !== null) throw new Error(`exited early: ${JSON.stringify(output)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("the authpi-dev-idp CLI", () => {
  test("prints issuer, client and users, serves its options, and stops cleanly on SIGTERM with a clean stderr", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dev-idp-"));
    const usersFile = join(dir, "users.json");
    const user = { id: "usr_ada", email: "ada@example.test", password: "pw", name: "Ada", organizations: [] };
    await writeFile(usersFile, JSON.stringify([user]));
    const { child, output } = run([
      "--port", "0", "--users", usersFile, "--alg", "EdDSA", "--access-token-ttl", "30",
      "--redirect-uri", "http://127.0.0.1:5174/cb", "--client-name", "Launchpad",
    ]);
    try {
      await waitFor(child, output, "Press Ctrl-C");
      const issuer = /Issuer\s+(http:\/\/127\.0\.0\.1:\d+\/i_dev)\n/.exec(output.stdout)?.[1] ?? "";
      expect(output.stdout).toMatch(/Client id\s+cli_dev_demo/);
      expect(output.stdout).toContain("ada@example.test");

      const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Discovery;
      expect(discovery.issuer).toBe(issuer);
      expect(discovery["id_token_signing_alg_values_supported"]).toEqual(["EdDSA"]);
      const request = authorizationRequest(discovery, { clientId: "cli_dev_demo" } as never, {
        redirect_uri: "http://127.0.0.1:5174/cb",
      });
      const toLogin = await fetch(request.url, { redirect: "manual" });
      const loginPage = await fetch(new URL(toLogin.headers.get("location") ?? "", issuer), {
        headers: { cookie: toLogin.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ") },
      });
      expect(await loginPage.text()).toContain("<h1>Sign in to Launchpad</h1>");
      const callback = await scriptedLogin(request.url, { email: "ada@example.test", password: "pw" });
      expect(new URL(callback).searchParams.get("code")).toEqual(expect.any(String));
    } finally {
      child.kill("SIGTERM");
    }
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    expect(output.stdout).toContain("stopped");
    expect(output.stderr).toBe("");
  });

  test("the banner lists the registered URIs and their flags; --client-id sets the client id", async () => {
    const { child, output } = run([
      "--port", "0", "--client-id", "cli_mine",
      "--redirect-uri", "http://127.0.0.1:5174/cb", "--redirect-uri", "http://localhost:5174/cb",
      "--post-logout-redirect-uri", "http://127.0.0.1:5174/",
    ]);
    try {
      await waitFor(child, output, "Press Ctrl-C");
      expect(output.stdout).toMatch(/Client id\s+cli_mine\s+\(--client-id\)/);
      expect(output.stdout).toMatch(/redirect URIs\s+http:\/\/127\.0\.0\.1:5174\/cb, http:\/\/localhost:5174\/cb\s+\(--redirect-uri, repeatable\)/);
      expect(output.stdout).toMatch(/post-logout redirect URIs\s+http:\/\/127\.0\.0\.1:5174\/\s+\(--post-logout-redirect-uri, repeatable\)/);
      const issuer = /Issuer\s+(http:\/\/127\.0\.0\.1:\d+\/i_dev)\n/.exec(output.stdout)?.[1] ?? "";
      const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Discovery;
      const request = authorizationRequest(discovery, { clientId: "cli_mine" } as never, { redirect_uri: "http://localhost:5174/cb" });
      const callback = await scriptedLogin(request.url, { email: "olivia@acme.test" });
      expect(new URL(callback).searchParams.get("code")).toEqual(expect.any(String));
    } finally {
      child.kill("SIGTERM");
    }
    await once(child, "exit");
  });

  test("a bad argument is one line naming it, plus the usage, and exit code 2", async () => {
    const { child, output } = run(["--access-token-ttl", "soon"]);
    const [code] = await once(child, "exit");
    expect(code).toBe(2);
    expect(output.stderr).toMatch(/^authpi-dev-idp: --access-token-ttl: expected a whole number/);
    expect(output.stderr).toContain("Usage: authpi-dev-idp");
  });
});
