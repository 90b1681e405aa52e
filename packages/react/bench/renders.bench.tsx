// Renders per token refresh, and the cost of a refresh with consumers mounted.
// A refresh yields a new agent with the same scopes: `useAccess` consumers
// must not re-render, nor must `useActiveAccess` and `useActiveOrg` ones;
// `useAgent` consumers do (their value changed).
// Run: `pnpm bench`. Prints the render counts after the timings.
import { act, render } from "@testing-library/react";
import { afterAll, bench, describe } from "vitest";
import { AuthPIProvider, useAccess, useActiveAccess, useActiveOrg, useAgent, useAuthPI } from "../src/index.js";
import { createClient, createIdp, memoryStorage, seedSession } from "../test/support/idp.js";

const idp = await createIdp();
const storage = memoryStorage();
seedSession(storage, idp);
const client = createClient(storage, idp);
await client.setActiveOrg("org_a");

const renders = { useAccess: 0, useActiveAccess: 0, useActiveOrg: 0, useAgent: 0, "useAuthPI().status": 0 };
function ActiveAccessConsumer() {
  renders.useActiveAccess += 1;
  return <span>{String(useActiveAccess("read", "projects"))}</span>;
}
function ActiveOrgConsumer() {
  renders.useActiveOrg += 1;
  return <span>{useActiveOrg().activeOrg?.id}</span>;
}
function AccessConsumer() {
  renders.useAccess += 1;
  return <span>{String(useAccess("org_a", "read", "projects"))}</span>;
}
function AgentConsumer() {
  renders.useAgent += 1;
  return <span>{useAgent()?.id}</span>;
}
function StatusConsumer() {
  renders["useAuthPI().status"] += 1;
  return <span>{useAuthPI().status}</span>;
}

render(
  <AuthPIProvider client={client}>
    {Array.from({ length: 20 }, (_, i) => (
      <AccessConsumer key={i} />
    ))}
    <ActiveAccessConsumer />
    <ActiveOrgConsumer />
    <AgentConsumer />
    <StatusConsumer />
  </AuthPIProvider>,
);
const mounted = { ...renders };
let refreshes = 0;

describe("token refresh with 20 useAccess consumers mounted", () => {
  bench(
    "client.refresh() + React commit",
    async () => {
      await act(() => client.refresh());
      refreshes += 1;
    },
    { iterations: 50, warmupIterations: 5 },
  );
});

afterAll(() => {
  const perRefresh = Object.fromEntries(
    Object.entries(renders).map(([name, count]) => [name, ((count - mounted[name as keyof typeof renders]) / refreshes).toFixed(2)]),
  );
  console.log(`\nRenders per refresh over ${refreshes} refreshes (20 useAccess consumers, counts per consumer kind):`);
  console.table({ "renders per refresh": { ...perRefresh, useAccess: (Number(perRefresh.useAccess) / 20).toFixed(2) + " each" } });
});
