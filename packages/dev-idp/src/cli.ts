import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { SigningAlg } from "./keys.js";
import type { DevIdpOptions } from "./options.js";
import type { DevIdp } from "./server.js";
import { parseUsers } from "./users.js";

const USAGE = `Usage: authpi-dev-idp [options]

  --port N                         port on 127.0.0.1 (default 4000; 0 picks a free one)
  --users FILE                     JSON array of users instead of the seeded ones
  --access-token-ttl SECONDS       default 300
  --id-token-ttl SECONDS           default 300
  --client-id ID                   the one client's id (default cli_dev_demo)
  --client-name NAME               what the login and logout pages call the app (default "AuthPI dev client")
  --alg RS256|ES256|EdDSA          signing algorithm (default ES256)
  --redirect-uri URL               the SPA's redirect URI (repeatable; default http://127.0.0.1:5173/callback)
  --post-logout-redirect-uri URL   repeatable; default http://127.0.0.1:5173/
  --help`;

function wholeNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new TypeError(`--${flag}: expected a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

async function optionsFrom(argv: string[]): Promise<DevIdpOptions | undefined> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", default: "4000" },
      users: { type: "string" },
      "access-token-ttl": { type: "string" },
      "id-token-ttl": { type: "string" },
      "client-id": { type: "string" },
      "client-name": { type: "string" },
      alg: { type: "string" },
      "redirect-uri": { type: "string", multiple: true },
      "post-logout-redirect-uri": { type: "string", multiple: true },
      help: { type: "boolean" },
    },
  });
  if (values.help) return undefined;
  const options: DevIdpOptions = {};
  const port = wholeNumber("port", values.port);
  if (port !== undefined) options.port = port;
  const accessTokenTtl = wholeNumber("access-token-ttl", values["access-token-ttl"]);
  if (accessTokenTtl !== undefined) options.accessTokenTtl = accessTokenTtl;
  const idTokenTtl = wholeNumber("id-token-ttl", values["id-token-ttl"]);
  if (idTokenTtl !== undefined) options.idTokenTtl = idTokenTtl;
  if (values["client-id"] !== undefined) options.clientId = values["client-id"];
  if (values["client-name"] !== undefined) options.clientName = values["client-name"];
  if (values.alg !== undefined) options.signingAlg = values.alg as SigningAlg;
  if (values["redirect-uri"]) options.redirectUris = values["redirect-uri"];
  if (values["post-logout-redirect-uri"]) options.postLogoutRedirectUris = values["post-logout-redirect-uri"];
  if (values.users !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(values.users, "utf8"));
    } catch (error) {
      throw new Error(`--users ${values.users}: ${error instanceof Error ? error.message : String(error)}`);
    }
    options.users = parseUsers(json);
  }
  return options;
}

async function main(): Promise<void> {
  let idp: DevIdp;
  try {
    const options = await optionsFrom(process.argv.slice(2));
    if (!options) {
      console.log(USAGE);
      return;
    }
    // Loaded only now: oidc-provider takes a second to import, and --help or a typo need not wait.
    const { startDevIdp } = await import("./server.js");
    idp = await startDevIdp(options);
  } catch (error) {
    // Bad arguments (TypeError), an unreadable users file, a port in use: one line, no stack.
    const message = error instanceof Error ? error.message : String(error);
    console.error(`authpi-dev-idp: ${message}${error instanceof TypeError ? `\n\n${USAGE}` : ""}`);
    process.exitCode = error instanceof TypeError ? 2 : 1;
    return;
  }
  const width = Math.max(...idp.users.map((user) => user.email.length));
  console.log(`AuthPI dev IdP

  Issuer       ${idp.issuerUrl}
  Client id    ${idp.clientId}   (--client-id)
  Discovery    ${idp.issuerUrl}/.well-known/openid-configuration

  Registered, matched exactly (open your app at one of these origins):
    redirect URIs              ${idp.redirectUris.join(", ")}   (--redirect-uri, repeatable)
    post-logout redirect URIs  ${idp.postLogoutRedirectUris.join(", ") || "none"}   (--post-logout-redirect-uri, repeatable)

  Users (email, password, name, organizations):
${idp.users
  .map((user) => {
    const orgs = user.organizations.map((org) => `${org.id} [${org.scopes.join(" ")}]`).join(", ") || "no organization";
    return `    ${user.email.padEnd(width)}  ${user.password}  ${user.name}${user.blocked ? " (blocked)" : ""} — ${orgs}`;
  })
  .join("\n")}

Press Ctrl-C to stop.`);

  const stop = () => {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    idp.close().then(
      () => console.log("\nAuthPI dev IdP stopped."),
      (error: unknown) => {
        console.error("authpi-dev-idp: could not close cleanly:", error);
        process.exitCode = 1;
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

await main();
