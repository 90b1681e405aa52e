// The `packed` project: the four packages installed the way a user will install them.
//
// 1. `pnpm pack` each package into a fresh directory under os.tmpdir(), outside this workspace.
//    Each package's `prepack` builds its `dist/` (react's and devtools' build core's first), and
//    pnpm rewrites the `workspace:*` dependencies on core and react to their versions.
// 2. Check every tarball: every file its `exports`, `types` and `bin` point at is in it, and no
//    `workspace:` specifier is left. Print the packed size of each.
// 3. `npm install` the tarballs together (react and devtools need their `@authpi/*` from the
//    same install until the packages are published), plus react@19, react-dom@19, typescript,
//    vite and the React types, from the npm registry.
// 4. `tsc --noEmit` (strict, moduleResolution bundler, jsx react-jsx) over consumer files and
//    the README blocks below, twice: as Vite's react-ts template configures it, and with
//    skipLibCheck off so the packed `.d.ts` files are checked too.
// 5. `vite build` of the React README's quick start; of an app that mounts <AuthPIDevtools />,
//    for production (the panel must not be in the bundle) and for development (it must); and
//    of one that imports @authpi/devtools/production (the panel, whatever the mode).
// 6. Node: import @authpi/core (hasAccess, parseScope, AuthPIClient), server-render
//    @authpi/react, @authpi/react/testing and @authpi/devtools (with NODE_ENV production and
//    without), start the packed dev IdP through its bin and through its API, and sign in
//    against it with the packed core (loopback only).
//
// README marker: a fenced block whose info string is `ts app` or `tsx app` (```tsx app) in
// packages/react/README.md or packages/core/README.md is a block a reader can paste as a file of
// their own app. Each one is written to src/readme/<package>-<n>.<ext> in the consumer project
// and type-checked; the first `tsx app` block of the React README is the entry `vite build`
// bundles. Blocks without the marker (fragments, tables of props) are not compiled.
//
// AUTHPI_PACKED_KEEP=1 keeps the temporary directory (its path is printed).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { childEnv, log, repo, run } from "./processes.js";
import { readmeBlocks } from "./readme-blocks.js";
import { pack, targets, type Packed } from "./tarballs.js";
import { viteBuild } from "./vite-build.js";

const packages = ["core", "react", "dev-idp", "devtools"] as const;
// What the consumer adds from the registry, besides the tarballs.
const registryDeps = ["react@19", "react-dom@19", "typescript@5.9.3", "vite@8.3.8", "@types/react@19", "@types/react-dom@19"];

let work = "";
let app = "";
const packed = new Map<string, Packed>();

beforeAll(async () => {
  const started = performance.now();
  work = await mkdtemp(join(tmpdir(), "authpi-packed-"));
  app = join(work, "app");
  await mkdir(app);
  log(`working in ${work}`);
  // core and dev-idp side by side; then react, then devtools, one at a time: each one's prepack
  // rebuilds core's dist (devtools' react's too), and two builds would delete each other's files.
  const [core, devIdp] = await Promise.all([pack("core", app), pack("dev-idp", app)]);
  const react = await pack("react", app);
  const devtools = await pack("devtools", app);
  for (const p of [core, react, devIdp, devtools]) packed.set(p.dir, p);
  for (const p of packed.values()) log(`${p.name}@${p.version}: ${p.bytes} bytes packed (${(p.bytes / 1024).toFixed(1)} KB), ${p.files.length} files`);
  log(`packed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}, 180_000);

afterAll(async () => {
  if (!work) return;
  if (process.env.AUTHPI_PACKED_KEEP) log(`kept ${work}`);
  else await rm(work, { recursive: true, force: true });
});

describe("the packed tarballs", () => {
  test.each(packages)("%s: has every file its package.json points at, and no workspace: specifier", (dir) => {
    const p = packed.get(dir);
    if (!p) throw new Error(`${dir} was not packed`);
    const files = new Set(p.files.map((file) => file.path));
    const pointed = targets(p.manifest);
    expect(pointed.length).toBeGreaterThan(0);
    expect(pointed.filter((path) => !files.has(path))).toEqual([]);
    expect(pointed).toContain("dist/index.js");
    expect(JSON.stringify(p.manifest)).not.toContain("workspace:");
    expect([...files].filter((path) => /\.test\.tsx?$|tsbuildinfo$/.test(path))).toEqual([]);
  });

  test.each([
    ["react", "core"],
    ["devtools", "core"],
    ["devtools", "react"],
  ] as const)("%s depends on the packed %s's exact version", (dir, dependency) => {
    const manifest = packed.get(dir)?.manifest as { dependencies: Record<string, string> };
    expect(manifest.dependencies[`@authpi/${dependency}`]).toBe(packed.get(dependency)?.version);
  });

  test("the React README's pack loop packs every package packed here, and its install lines name every tarball", async () => {
    const readme = await readFile(join(repo, "packages", "react", "README.md"), "utf8");
    const loop = /for p in ([\w -]+); do npx -y pnpm@10 -C packages\/\$p pack/.exec(readme)?.[1]?.split(" ") ?? [];
    expect(loop.sort()).toEqual([...packages].sort());
    for (const p of packed.values()) expect(readme).toContain(`./${basename(p.filename)}`);
  });

  test("devtools: the /production entry is packed, and React 18 is admitted as a peer", () => {
    const manifest = packed.get("devtools")?.manifest ?? {};
    expect(targets(manifest)).toEqual(expect.arrayContaining(["dist/index.d.ts", "dist/production.js", "dist/production.d.ts"]));
    expect(manifest.peerDependencies).toMatchObject({ react: "^18.2.0 || ^19.0.0" });
  });
});

describe("installed in a fresh project outside the workspace", () => {
  beforeAll(async () => {
    expect(relative(repo, app).startsWith("..")).toBe(true);
    await writeFile(join(app, "package.json"), `${JSON.stringify({ name: "authpi-consumer", private: true, type: "module" }, null, 2)}\n`);
    const tarballs = [...packed.values()].map((p) => `./${relative(app, p.filename)}`);
    await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", ...tarballs, ...registryDeps], app);
  }, 240_000);

  test("npm installed one copy of each package, from the tarballs", async () => {
    for (const p of packed.values()) {
      const manifest = JSON.parse(await readFile(join(app, "node_modules", p.name, "package.json"), "utf8")) as { version: string };
      expect(manifest.version).toBe(p.version);
    }
    const lock = JSON.parse(await readFile(join(app, "package-lock.json"), "utf8")) as { packages: Record<string, { resolved?: string }> };
    const copies = Object.keys(lock.packages).filter((path) => /(^|\/)node_modules\/@authpi\//.test(path));
    expect(copies.sort()).toEqual(["node_modules/@authpi/core", "node_modules/@authpi/dev-idp", "node_modules/@authpi/devtools", "node_modules/@authpi/react"]);
    expect(lock.packages["node_modules/@authpi/core"]?.resolved).toMatch(/authpi-core-.*\.tgz$/);
  });

  test("a consumer and every `app` block of the READMEs type-check (strict, bundler resolution), and vite builds the quick start", async () => {
    const src = join(app, "src");
    await mkdir(join(src, "readme"), { recursive: true });
    const written: string[] = [];
    let entry = "";
    for (const dir of ["react", "core"] as const) {
      const blocks = readmeBlocks(await readFile(join(repo, "packages", dir, "README.md"), "utf8"));
      expect(blocks.length, `app blocks in packages/${dir}/README.md`).toBeGreaterThan(0);
      for (const [i, block] of blocks.entries()) {
        const file = join(src, "readme", `${dir}-${i + 1}.${block.ext}`);
        await writeFile(file, block.code);
        written.push(relative(app, file));
        if (dir === "react" && block.ext === "tsx" && !entry) entry = relative(app, file);
      }
    }
    log(`README app blocks: ${written.join(", ")}`);
    expect(entry).not.toBe("");

    // Beyond the READMEs: config props, the testing entry point, the exported types.
    await writeFile(
      join(src, "consumer.tsx"),
      `import { AuthPIClient, hasAccess, OAuthError, type AuthPIClientOptions, type AuthSnapshot } from "@authpi/core";
import { AuthPIProvider, RequireAccess, useAccess, useAgent, useAuthPI, type AuthPIState } from "@authpi/react";
import { createTestAgent, MockAuthPIProvider } from "@authpi/react/testing";
import type { ReactNode } from "react";

const options: AuthPIClientOptions = { issuerUrl: "http://127.0.0.1:4000/i_dev", clientId: "cli_dev_demo", redirectUri: "http://127.0.0.1:5173/callback" };
export const client: AuthPIClient = new AuthPIClient(options);
export const snapshot: AuthSnapshot = client.getSnapshot();
export const canRead: boolean = hasAccess(["projects:read"], "read", "projects");

function Projects(): ReactNode {
  const canWrite = useAccess("org_acme", "write", "projects");
  const agent = useAgent();
  const state: AuthPIState = useAuthPI();
  return <p>{agent?.email} {String(canWrite)} {state.status} {state.error instanceof OAuthError ? state.error.error : ""}</p>;
}

export function Live() {
  return (
    <AuthPIProvider {...options} storage="local">
      <RequireAccess org="org_acme" role="admin" fallback={<p>no</p>}>
        <Projects />
      </RequireAccess>
    </AuthPIProvider>
  );
}

export function Mocked() {
  const agent = createTestAgent({ organizations: [{ id: "org_acme", scopes: ["admin", "projects:**"] }] });
  return (
    <MockAuthPIProvider agent={agent}>
      <Projects />
    </MockAuthPIProvider>
  );
}
`,
    );
    // The devtools, mounted as their README says; both files are entries of the devtools builds
    // (the next test), so each imports one devtools entry only.
    const devtoolsApp = (from: string, extra = "") => `import { AuthPIClient } from "@authpi/core";
import { AuthPIDevtools, type AuthPIDevtoolsProps } from "${from}";
import { AuthPIProvider, useAuthPI } from "@authpi/react";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

const client = new AuthPIClient({ issuerUrl: "https://idp.authpi.com/i_devtools", clientId: "cli_x", redirectUri: \`\${location.origin}/callback\` });
const props: AuthPIDevtoolsProps = { initialIsOpen: true, position: "bottom-left", logSize: 20 };

function Status() {
  return <p>Devtools consumer: {useAuthPI().status}</p>;
}
${extra}
createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <AuthPIProvider client={client}>
      <Status />
      <AuthPIDevtools {...props} />
    </AuthPIProvider>
  </StrictMode>,
);
`;
    await writeFile(
      join(src, "devtools-app.tsx"),
      devtoolsApp("@authpi/devtools", `// The props are typed, not \`any\`: a corner the panel does not know is an error.
// @ts-expect-error position is "bottom-right" or "bottom-left"
export const wrong = <AuthPIDevtools position="top-right" />;
`),
    );
    await writeFile(join(src, "devtools-always.tsx"), devtoolsApp("@authpi/devtools/production"));
    // Two configurations. "app": what Vite's react-ts template has (lib without ESNext, and
    // skipLibCheck). "strict-libs": skipLibCheck off, so the packed .d.ts files are checked too;
    // it needs ESNext.Disposable because AuthPIClient declares [Symbol.dispose]().
    const base = {
      target: "ES2022",
      module: "ESNext",
      moduleResolution: "bundler",
      jsx: "react-jsx",
      strict: true,
      noEmit: true,
      isolatedModules: true,
      verbatimModuleSyntax: true,
      types: [],
    };
    const configs = {
      "tsconfig.json": { ...base, lib: ["ES2022", "DOM", "DOM.Iterable"], skipLibCheck: true },
      "tsconfig.strict-libs.json": { ...base, lib: ["ES2023", "DOM", "DOM.Iterable", "ESNext.Disposable"], skipLibCheck: false },
    };
    const tsc = join(app, "node_modules/.bin/tsc");
    await Promise.all(
      Object.entries(configs).map(async ([file, compilerOptions]) => {
        await writeFile(join(app, file), `${JSON.stringify({ compilerOptions, include: ["src"] }, null, 2)}\n`);
        const listed = await run(tsc, ["--noEmit", "-p", file, "--listFiles"], app);
        // The packed declarations are what the check ran on, not some other copy.
        for (const p of ["core", "react", "devtools"]) expect(listed).toContain(`${app}/node_modules/@authpi/${p}/dist/index.d.ts`);
        expect(listed).toContain(`${app}/node_modules/@authpi/devtools/dist/production.d.ts`);
      }),
    );

    const quickStart = await viteBuild(app, "quick-start", entry, "production");
    // The client, React and the guard made it into the bundle; the dev-only source did not.
    expect(quickStart.js).toContain("https://idp.authpi.com/i_xxx");
    expect(quickStart.js).toContain("Sign in to see Acme");
    expect(quickStart.js).not.toContain("@authpi/source");
    log(`vite build: ${quickStart.sizes.join(", ")}`);
  }, 180_000);

  test("vite build: <AuthPIDevtools /> is a null component in production (the panel is not bundled), the panel in development, and /production is the panel in production", async () => {
    // Strings only the panel's code holds (its close button's label, its root class, a heading).
    // They must be in the packed panel, or their absence from a bundle would prove nothing.
    const panelStrings = ["Close AuthPI devtools", "authpi-devtools", "Scope explorer"];
    const packedPanel = await readFile(join(app, "node_modules/@authpi/devtools/dist/devtools.js"), "utf8");
    const packedStyles = await readFile(join(app, "node_modules/@authpi/devtools/dist/styles.js"), "utf8");
    for (const text of panelStrings) expect(packedPanel + packedStyles).toContain(text);

    // Three independent builds, run together.
    const [production, development, always] = await Promise.all([
      viteBuild(app, "devtools-production", "src/devtools-app.tsx", "production"),
      viteBuild(app, "devtools-development", "src/devtools-app.tsx", "development"),
      viteBuild(app, "devtools-always", "src/devtools-always.tsx", "production"),
    ]);
    for (const [name, build] of Object.entries({ production, development, always })) {
      // Each is a whole app: its own text, the client's issuer and React made it in.
      expect(build.js.includes("Devtools consumer: "), name).toBe(true);
      expect(build.js.includes("https://idp.authpi.com/i_devtools"), name).toBe(true);
      log(`vite build (devtools, ${name}): ${build.sizes.join(", ")}`);
    }
    // Asked as booleans: a failing toContain would print the whole bundle.
    for (const text of panelStrings) {
      expect(production.js.includes(text), `the production build holds ${JSON.stringify(text)}`).toBe(false);
      expect(development.js.includes(text), `the development build holds ${JSON.stringify(text)}`).toBe(true);
      expect(always.js.includes(text), `the /production build holds ${JSON.stringify(text)}`).toBe(true);
    }
    // What leaving <AuthPIDevtools /> in an app costs in production, next to the panel.
    log(`devtools app, production: ${production.js.length} bytes of JS; with the panel (/production): ${always.js.length}`);
    expect(always.js.length - production.js.length).toBeGreaterThan(5_000);
  }, 180_000);

  test("@authpi/core and @authpi/react load in Node", async () => {
    await writeFile(
      join(app, "check-node.mjs"),
      `import assert from "node:assert/strict";
import * as core from "@authpi/core";
import { createElement as h } from "react";
import { renderToString } from "react-dom/server";
import { AuthPIProvider, RequireAccess } from "@authpi/react";
import { createTestAgent, MockAuthPIProvider } from "@authpi/react/testing";

assert.match(import.meta.resolve("@authpi/core"), /node_modules\\/@authpi\\/core\\/dist\\/index\\.js$/);
assert.equal(typeof core.AuthPIClient, "function");
assert.equal(core.hasAccess(["users:read", "projects:**"], "write", "projects.tasks"), true);
assert.equal(core.hasAccess(["users:read"], "delete", "users"), false);
assert.deepEqual(core.parseScope("projects:**"), { resource: "projects", action: "**" });
assert.equal(core.parseScope("owner"), null);
assert.ok(new core.LoginRequiredError() instanceof core.OAuthError);

// A server render: the session cannot be known there, so the guard renders \`loading\`.
const server = renderToString(h(AuthPIProvider, { issuerUrl: "https://idp.authpi.com/i_x", clientId: "cli_x", redirectUri: "https://app.example/callback" },
  h(RequireAccess, { loading: "loading…" }, "secret")));
assert.equal(server, "loading…");
// The mock provider renders on a server too (hooks report \`loading\` there as well).
const mocked = renderToString(h(MockAuthPIProvider, { agent: null }, h(RequireAccess, { loading: "loading…" }, "secret")));
assert.equal(mocked, "loading…");
// One copy of core: the testing entry point builds agents of the very class core exports.
const agent = createTestAgent({ organizations: [{ id: "org_acme", scopes: ["projects:read"] }] });
assert.ok(agent instanceof core.AuthenticatedAgent);
assert.deepEqual([agent.hasAccessIn("org_acme", "read", "projects"), agent.hasAccessIn("org_acme", "write", "projects")], [true, false]);
console.log(JSON.stringify({ coreExports: Object.keys(core).length, server, mocked, agent: agent.id }));
`,
    );
    log(`node check-node.mjs: ${(await run(process.execPath, ["check-node.mjs"], app)).trim()}`);
  }, 60_000);

  test("@authpi/devtools server-renders in Node: the panel, or nothing under NODE_ENV=production unless from /production", async () => {
    await writeFile(
      join(app, "check-devtools.mjs"),
      `import assert from "node:assert/strict";
import { createElement as h } from "react";
import { renderToString } from "react-dom/server";
import { AuthPIProvider } from "@authpi/react";
import { AuthPIDevtools } from "@authpi/devtools";
import { AuthPIDevtools as AlwaysDevtools } from "@authpi/devtools/production";

assert.match(import.meta.resolve("@authpi/devtools"), /node_modules\\/@authpi\\/devtools\\/dist\\/index\\.js$/);
const options = { issuerUrl: "https://idp.authpi.com/i_x", clientId: "cli_x", redirectUri: "https://app.example/callback" };
const render = (Devtools) => renderToString(h(AuthPIProvider, options, h(Devtools, { initialIsOpen: true })));
const production = process.env.NODE_ENV === "production";
const main = render(AuthPIDevtools);
const always = render(AlwaysDevtools);
// Open on the server: the panel, with the session still loading there.
assert.match(always, /aria-label="AuthPI devtools"/);
assert.match(always, /data-status="loading"/);
if (production) assert.equal(main, "");
else assert.equal(main, always);
console.log(JSON.stringify({ NODE_ENV: process.env.NODE_ENV ?? null, main: main.length, always: always.length }));
`,
    );
    // NODE_ENV unset (Node's default: the panel renders) and production (the main entry is null).
    for (const env of [{}, { NODE_ENV: "production" }]) {
      log(`node check-devtools.mjs: ${(await run(process.execPath, ["check-devtools.mjs"], app, env)).trim()}`);
    }
  }, 60_000);

  test("the dev IdP runs from the tarball, by its bin and its API, and the packed core signs in against it", async () => {
    // The bin: tsx compiles its TypeScript source from node_modules.
    const bin = join(app, "node_modules/.bin/authpi-dev-idp");
    const child: ChildProcess = spawn(bin, ["--port", "0", "--redirect-uri", "http://127.0.0.1:5999/callback"], { cwd: app, env: childEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
      const deadline = Date.now() + 30_000;
      while (!output.includes("Press Ctrl-C")) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`authpi-dev-idp did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const issuer = /Issuer\s+(\S+)/.exec(output)?.[1] ?? "";
      expect(issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/i_dev$/);
      expect(output).toContain("cli_dev_demo");
      const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { issuer: string };
      expect(discovery.issuer).toBe(issuer);
      log(`authpi-dev-idp bin: ${issuer} answered discovery`);
    } finally {
      if (child.pid !== undefined && child.exitCode === null) child.kill("SIGTERM");
    }

    await writeFile(
      join(app, "check-dev-idp.mjs"),
      `import assert from "node:assert/strict";
import { AuthPIClient } from "@authpi/core";
import { scriptedLogin, startDevIdp } from "@authpi/dev-idp";

const idp = await startDevIdp({ quiet: true });
try {
  const client = new AuthPIClient({ issuerUrl: idp.issuerUrl, clientId: idp.clientId, redirectUri: "http://127.0.0.1:5173/callback", storage: "memory" });
  const auth = await client.createAuthorizationUrl();
  const callback = await scriptedLogin(auth.url, { email: "olivia@acme.test" });
  const agent = await client.exchangeCallback(callback, auth);
  assert.equal(agent.id, "usr_olivia");
  assert.equal(agent.hasAccessIn("org_acme", "write", "projects"), true);
  assert.equal(agent.isOwnerOf("org_acme"), true);
  client.dispose();
  console.log(JSON.stringify({ issuer: idp.issuerUrl, agent: agent.id, tokenRequests: idp.tokenRequests() }));
} finally {
  await idp.close();
}
`,
    );
    log(`node check-dev-idp.mjs: ${(await run(process.execPath, ["check-dev-idp.mjs"], app)).trim()}`);
  }, 90_000);
});
