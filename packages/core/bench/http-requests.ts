// HTTP requests the client makes against the dev IdP, by step: a cold login,
// a second login on the same client, a reload with a valid session, one
// refresh. The floor is 3 / 1 / 0 / 1. Run: `pnpm bench` (or this file with tsx).
import { scriptedLogin, startDevIdp } from "@authpi/dev-idp";
import { AuthPIClient, type StorageLike } from "@authpi/core";

const APP = "http://127.0.0.1:5173";
const idp = await startDevIdp({ quiet: true });
const requests: string[] = [];
const countingFetch: typeof fetch = (input, init) => {
  requests.push(new URL(input instanceof Request ? input.url : String(input)).pathname.replace(/^\/i_dev/, ""));
  return fetch(input, init);
};
const items = new Map<string, string>();
const storage: StorageLike = {
  getItem: (key) => items.get(key) ?? null,
  setItem: (key, value) => void items.set(key, value),
  removeItem: (key) => void items.delete(key),
};

// Just enough of a browser address bar for the redirect flow.
let href = `${APP}/`;
let assigned = "";
Object.assign(globalThis, {
  location: {
    get href() {
      return href;
    },
    get origin() {
      return new URL(href).origin;
    },
    get pathname() {
      return new URL(href).pathname;
    },
    get search() {
      return new URL(href).search;
    },
    get hash() {
      return new URL(href).hash;
    },
    assign: (url: string) => void (assigned = url),
  },
  history: { state: null, replaceState: (_: unknown, __: string, url: string) => void (href = new URL(url, href).href) },
});

const newClient = () =>
  new AuthPIClient({ issuerUrl: idp.issuerUrl, clientId: idp.clientId, redirectUri: `${APP}/callback`, storage, fetch: countingFetch });

async function login(client: AuthPIClient, email: string) {
  await client.loginWithRedirect();
  href = await scriptedLogin(assigned, { email });
  await client.handleRedirectCallback();
}

async function measure(step: string, run: () => Promise<unknown>) {
  requests.length = 0;
  await run();
  rows.push({ step, requests: requests.length, paths: requests.join(" ") });
}

const rows: Array<{ step: string; requests: number; paths: string }> = [];
const client = newClient();
await measure("cold login (discovery, keys, code)", () => login(client, "olivia@acme.test"));
await measure("second login, same client", () => login(client, "max@acme.test"));
const reloaded = newClient();
await measure("reload with a valid session", async () => {
  await reloaded.start();
  if (reloaded.getSnapshot().status !== "authenticated") throw new Error("the reload did not restore the session");
});
await measure("one refresh", () => reloaded.refresh());
reloaded.dispose();
await idp.close();
console.table(rows);
