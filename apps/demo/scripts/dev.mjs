#!/usr/bin/env node
// `pnpm dev`: the dev IdP and the demo together, one banner, Ctrl-C stops both.
// Plain Node on purpose (no build step, no extra dependency): the IdP runs as a
// child process through its own bin, Vite in this process through its JS API.
//
//   node apps/demo/scripts/dev.mjs [--port 5173] [--idp-port 4000] [--access-token-ttl 120]
//
// Environment overrides: AUTHPI_DEMO_PORT, AUTHPI_IDP_PORT, AUTHPI_ACCESS_TOKEN_TTL.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const demoDir = fileURLToPath(new URL("..", import.meta.url));
// The IdP is a dev dependency of the demo: resolve its bin through the workspace link.
const idpBin = createRequire(import.meta.url).resolve("@authpi/dev-idp/package.json").replace(/package\.json$/, "bin/authpi-dev-idp.js");
const HOST = "127.0.0.1";
const ISSUER_PATH = "/i_dev";
const CLIENT_ID = "cli_dev_demo";
const STARTUP_TIMEOUT_MS = 60_000;

function fail(message, code = 1) {
  console.error(`dev: ${message}`);
  process.exit(code);
}

function portOption(name, value) {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535) fail(`${name}: expected a port number, got ${JSON.stringify(value)}`, 2);
  return Number(value);
}

function readOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: "string", default: process.env.AUTHPI_DEMO_PORT ?? "5173" },
        "idp-port": { type: "string", default: process.env.AUTHPI_IDP_PORT ?? "4000" },
        // Short on purpose: the demo's session panel shows refreshes happening.
        "access-token-ttl": { type: "string", default: process.env.AUTHPI_ACCESS_TOKEN_TTL ?? "120" },
      },
    }));
  } catch (error) {
    fail(error.message, 2);
  }
  const ttl = values["access-token-ttl"];
  if (!/^\d+$/.test(ttl) || Number(ttl) < 1) fail(`--access-token-ttl: expected whole seconds, got ${JSON.stringify(ttl)}`, 2);
  return { port: portOption("--port", values.port), idpPort: portOption("--idp-port", values["idp-port"]), ttl: Number(ttl) };
}

const { port, idpPort, ttl } = readOptions();
const appUrl = `http://${HOST}:${port}`;
const issuerUrl = `http://${HOST}:${idpPort}${ISSUER_PATH}`;

let stopping = false;
let vite = null;

// ---------------------------------------------------------------- the dev IdP

// The IdP allows exactly the demo's redirect URIs (and CORS from its origin), so they follow --port.
const idp = spawn(
  process.execPath,
  [
    idpBin,
    "--port", String(idpPort),
    "--access-token-ttl", String(ttl),
    "--redirect-uri", `${appUrl}/callback`,
    "--post-logout-redirect-uri", `${appUrl}/`,
    "--client-name", "Launchpad",
  ],
  { stdio: ["ignore", "pipe", "pipe"] },
);

// Its start-up banner is kept, not printed: ours replaces it (the users are taken from it).
// Once it is up, its log lines (sign-ins, refused requests) go through with a prefix.
let idpReady = false;
const idpStartup = [];
for (const [stream, out] of [[idp.stdout, process.stdout], [idp.stderr, process.stderr]]) {
  stream.setEncoding("utf8");
  let partial = "";
  stream.on("data", (chunk) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      if (!idpReady) idpStartup.push(line);
      else if (line.trim() !== "") out.write(`idp  │ ${line}\n`);
    }
  });
}

idp.on("exit", (code, signal) => {
  if (stopping) return;
  if (!idpReady) {
    console.error(idpStartup.join("\n"));
    fail(`the dev IdP did not start (exit ${code ?? signal}). Is port ${idpPort} in use? Try --idp-port.`, code || 1);
  }
  console.error(`\ndev: the dev IdP exited (${code ?? signal}); stopping the demo.`);
  shutdown(code ?? 1);
});

// Whatever ends this process, the IdP must not outlive it holding the port.
process.on("exit", () => {
  if (idp.exitCode === null && idp.signalCode === null) idp.kill("SIGTERM");
});

/**
 * Up once our child has announced its issuer (so an IdP already listening on
 * that port is not mistaken for it) and discovery answers there.
 */
async function waitForIdp() {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (idp.exitCode !== null) return;
    if (!idpStartup.some((line) => line.includes(issuerUrl))) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    try {
      const response = await fetch(`${issuerUrl}/.well-known/openid-configuration`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  fail(`the dev IdP did not answer at ${issuerUrl} within ${STARTUP_TIMEOUT_MS / 1000} s`);
}

// ---------------------------------------------------------------- Vite

async function startVite() {
  // Read by the demo's config (import.meta.env): point it at this IdP, whatever its port.
  process.env.VITE_AUTHPI_ISSUER = issuerUrl;
  process.env.VITE_AUTHPI_CLIENT_ID = CLIENT_ID;
  const { createServer } = await import("vite");
  const server = await createServer({
    root: demoDir,
    configFile: `${demoDir}vite.config.ts`,
    clearScreen: false,
    server: { host: HOST, port, strictPort: true },
  });
  await server.listen();
  return server;
}

// ---------------------------------------------------------------- both

/** The IdP's own lines for its users: `email  password  name — organizations`. */
function userLines() {
  const start = idpStartup.findIndex((line) => line.trim().startsWith("Users"));
  if (start === -1) return ["    (listed on the sign-in page)"];
  const lines = [];
  for (const line of idpStartup.slice(start + 1)) {
    if (line.trim() === "") break;
    lines.push(`  ${line}`);
  }
  return lines;
}

function printBanner() {
  const bar = "─".repeat(64);
  console.log(`
${bar}
  AuthPI React kit demo is running

  Open            ${appUrl}
  Dev IdP issuer  ${issuerUrl}   (client ${CLIENT_ID})
  Access tokens   live ${ttl} s, so you can watch them refresh

  Test users (on the sign-in page each one is a button):
${userLines().join("\n")}

  Ctrl-C stops both.
${bar}
`);
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  if (idp.exitCode === null && idp.signalCode === null) idp.kill("SIGTERM");
  const idpGone = idp.exitCode !== null || idp.signalCode !== null ? Promise.resolve() : new Promise((resolve) => idp.once("exit", resolve));
  await Promise.allSettled([vite?.close(), idpGone]);
  process.exit(code);
}

// Ctrl-C reaches the whole process group (the IdP stops by itself too); SIGTERM
// may reach only this process, so it is forwarded either way.
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

try {
  [vite] = await Promise.all([startVite(), waitForIdp()]);
} catch (error) {
  const busy = error.code === "EADDRINUSE" || /port .* in use/i.test(error.message);
  console.error(`dev: the demo did not start: ${error.message}${busy ? " (try --port)" : ""}`);
  await shutdown(1);
}
if (!stopping && idp.exitCode === null) {
  idpReady = true;
  printBanner();
}
