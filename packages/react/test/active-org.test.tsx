import type { AuthPIClient } from "@authpi/core";
import { act, screen } from "@testing-library/react";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { AuthPIProvider, RequireAccess, useActiveAccess, useActiveOrg } from "../src/index.js";
import { createTestAgent, MockAuthPIProvider } from "../src/testing.js";
import { createClient, createIdp, memoryStorage, seedSession, type Idp } from "./support/idp.js";
import { renderStrict } from "./support/render.js";

let idp: Idp;
let client: AuthPIClient;
const orgA = { id: "org_a", title: "A", scopes: ["projects:read"], joined_at: 1_700_000_000 };
const orgB = { id: "org_b", title: "B", scopes: ["projects:**", "admin"], joined_at: 1_700_000_000 };

beforeAll(async () => {
  idp = await createIdp();
});
beforeEach(() => {
  idp.organizations = [orgA, orgB];
  const storage = memoryStorage();
  seedSession(storage, idp);
  client = createClient(storage, idp);
});
afterEach(() => vi.restoreAllMocks());

function Switcher() {
  const { activeOrg, organizations, setActiveOrg } = useActiveOrg();
  return (
    <div>
      <p data-testid="active">{activeOrg?.id ?? "none"}</p>
      <p data-testid="orgs">{organizations.map((org) => org.id).join(",")}</p>
      {organizations.map((org) => (
        <button key={org.id} onClick={() => void setActiveOrg(org.id)}>
          {org.id}
        </button>
      ))}
    </div>
  );
}

describe("useActiveOrg()", () => {
  it("lists the memberships and switches the active one", async () => {
    renderStrict(
      <AuthPIProvider client={client}>
        <Switcher />
      </AuthPIProvider>,
    );
    expect(screen.getByTestId("active").textContent).toBe("none");
    expect(screen.getByTestId("orgs").textContent).toBe("org_a,org_b");
    await act(() => screen.getByText("org_b").click());
    expect(screen.getByTestId("active").textContent).toBe("org_b");
  });

  it("does not re-render on a token refresh that keeps the memberships", async () => {
    await client.setActiveOrg("org_b");
    let renders = 0;
    function Counted() {
      renders += 1;
      return <Switcher />;
    }
    renderStrict(
      <AuthPIProvider client={client}>
        <Counted />
      </AuthPIProvider>,
    );
    const before = renders;
    const agent = client.getSnapshot().agent;
    await act(() => client.refresh());
    expect(client.getSnapshot().agent).not.toBe(agent);
    expect(renders).toBe(before);
  });
});

describe("useActiveAccess()", () => {
  function CanWrite() {
    return <p data-testid="can-write">{String(useActiveAccess("write", "projects"))}</p>;
  }

  it("answers in the active organization only, false without one", async () => {
    renderStrict(
      <AuthPIProvider client={client}>
        <CanWrite />
      </AuthPIProvider>,
    );
    expect(screen.getByTestId("can-write").textContent).toBe("false");
    await act(() => client.setActiveOrg("org_b"));
    expect(screen.getByTestId("can-write").textContent).toBe("true");
    await act(() => client.setActiveOrg("org_a"));
    expect(screen.getByTestId("can-write").textContent).toBe("false");
  });

  it("renders 0 times per token refresh, and again when the active org's scopes change", async () => {
    await client.setActiveOrg("org_b");
    let renders = 0;
    function Counted() {
      renders += 1;
      return <CanWrite />;
    }
    renderStrict(
      <AuthPIProvider client={client}>
        <Counted />
      </AuthPIProvider>,
    );
    const before = renders;
    await act(() => client.refresh());
    expect(renders).toBe(before);
    idp.organizations = [orgA, { ...orgB, scopes: ["projects:read"] }];
    await act(() => client.refresh());
    expect(screen.getByTestId("can-write").textContent).toBe("false");
  });
});

describe("<RequireAccess activeOrg>", () => {
  it("applies the rule in the active org, and renders noActiveOrg when there is none", async () => {
    renderStrict(
      <AuthPIProvider client={client}>
        <RequireAccess activeOrg action="write" resource="projects" fallback={<p>read only</p>} noActiveOrg={<p>pick an organization</p>}>
          <p>editor</p>
        </RequireAccess>
        <RequireAccess activeOrg role="admin" fallback={<p>not admin</p>}>
          <p>admin area</p>
        </RequireAccess>
      </AuthPIProvider>,
    );
    expect(screen.getByText("pick an organization")).toBeTruthy();
    expect(screen.getByText("not admin")).toBeTruthy(); // noActiveOrg defaults to fallback
    await act(() => client.setActiveOrg("org_a"));
    expect(screen.getByText("read only")).toBeTruthy();
    await act(() => client.setActiveOrg("org_b"));
    expect(screen.getByText("editor")).toBeTruthy();
    expect(screen.getByText("admin area")).toBeTruthy();
  });

  it("refuses org together with activeOrg", () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(() =>
      renderStrict(
        <MockAuthPIProvider agent={createTestAgent()}>
          {/* @ts-expect-error -- what JavaScript callers get; TypeScript refuses the rule (access-rule.test-d.tsx) */}
          <RequireAccess activeOrg org="org_a">
            x
          </RequireAccess>
        </MockAuthPIProvider>,
      ),
    ).toThrow("<RequireAccess>: org and activeOrg exclude each other");
  });
});

describe("the mock provider's active organization", () => {
  const organizations = [
    { id: "org_a", scopes: ["projects:read"] },
    { id: "org_b", scopes: ["projects:**"] },
  ];

  it("takes activeOrg from createTestAgent, from its own prop, and switches with setActiveOrg", async () => {
    const { rerender } = renderStrict(
      <MockAuthPIProvider agent={createTestAgent({ organizations, activeOrg: "org_a" })}>
        <Switcher />
      </MockAuthPIProvider>,
    );
    expect(screen.getByTestId("active").textContent).toBe("org_a");
    await act(() => screen.getByText("org_b").click());
    expect(screen.getByTestId("active").textContent).toBe("org_b");
    rerender(
      <MockAuthPIProvider agent={createTestAgent({ organizations })} activeOrg={null}>
        <Switcher />
      </MockAuthPIProvider>,
    );
    expect(screen.getByTestId("active").textContent).toBe("none");
  });
});
