import { AuthPIClient } from "@authpi/core";
import { AuthPIProvider } from "@authpi/react";
import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
// The React package's in-memory IdP: real ID tokens, a real client.
import { CLIENT_ID, createClient, createIdp, ISSUER, memoryStorage, seedSession, type Idp } from "../../react/test/support/idp.js";
import { AuthPIDevtools } from "../src/index.js";
import { AuthPIDevtools as AlwaysDevtools } from "../src/production.js";
import { renderStrict } from "./render.js";

let idp: Idp;
let client: AuthPIClient;

beforeAll(async () => {
  idp = await createIdp();
});
beforeEach(() => {
  idp.organizations = [
    { id: "org_a", title: "A", scopes: ["projects:**"], joined_at: 1_700_000_000 },
    { id: "org_b", title: "B", scopes: ["users:read"], joined_at: 1_700_000_000 },
  ];
  const storage = memoryStorage();
  seedSession(storage, idp);
  client = createClient(storage, idp);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

function renderDevtools(ui: ReactNode = <AuthPIDevtools />) {
  return renderStrict(<AuthPIProvider client={client}>{ui}</AuthPIProvider>);
}

const toggle = () => screen.getByRole("button", { name: "AuthPI" });
const panel = () => screen.queryByRole("region", { name: "AuthPI devtools" });
const open = () => fireEvent.click(toggle());

describe("<AuthPIDevtools />", () => {
  it("is a closed toggle until clicked, then a panel that takes focus; the toggle closes it again", () => {
    renderDevtools();
    expect(toggle().getAttribute("aria-expanded")).toBe("false");
    expect(panel()).toBeNull();

    toggle().focus();
    open();
    expect(toggle().getAttribute("aria-expanded")).toBe("true");
    expect(toggle().getAttribute("aria-controls")).toBe(panel()?.id);
    expect(document.activeElement).toBe(panel());

    fireEvent.click(toggle());
    expect(panel()).toBeNull();
    expect(toggle().getAttribute("aria-expanded")).toBe("false");
  });

  it("closes on Escape, from anywhere inside it, and gives focus back to the toggle", () => {
    renderDevtools();
    open();
    const action = screen.getByLabelText("Action");
    action.focus();
    fireEvent.keyDown(action, { key: "Escape" });
    expect(panel()).toBeNull();
    expect(document.activeElement).toBe(toggle());

    open();
    fireEvent.click(screen.getByRole("button", { name: "Close AuthPI devtools" }));
    expect(panel()).toBeNull();
    expect(document.activeElement).toBe(toggle());
  });

  it("names a failed session in a sentence and its code, never the request that failed", async () => {
    const unreachable = new AuthPIClient({ issuerUrl: ISSUER, clientId: CLIENT_ID, redirectUri: `${location.origin}/callback`, storage: memoryStorage(), fetch: () => Promise.reject(new TypeError("fetch failed")) });
    renderStrict(
      <AuthPIProvider client={unreachable}>
        <AuthPIDevtools initialIsOpen />
      </AuthPIProvider>,
    );
    await act(() => unreachable.loginWithRedirect().catch(() => undefined));
    expect(screen.getByTestId("authpi-devtools-status").textContent).toBe("error");
    const text = screen.getByTestId("authpi-devtools-error").textContent;
    expect(text).toBe("Can't reach the sign-in service. network_error");
    expect(unreachable.getSnapshot().error?.message).toContain("http");
  });

  it("initialIsOpen opens it without taking focus from the app", () => {
    renderDevtools(<AuthPIDevtools initialIsOpen />);
    expect(panel()).not.toBeNull();
    expect(document.activeElement).toBe(document.body);
  });

  it("shows the session: status, agent, organizations, active org and the ID token claims", () => {
    renderDevtools(<AuthPIDevtools initialIsOpen />);
    const region = within(panel() as HTMLElement);
    expect(region.getByTestId("authpi-devtools-status").textContent).toBe("authenticated");
    expect(region.getByText("usr_alice")).toBeTruthy();
    expect(region.getByText("user")).toBeTruthy();
    expect(region.getByText("alice@example.test")).toBeTruthy();
    expect(region.getByText("(projects:**)")).toBeTruthy();
    expect(region.getByText("(users:read)")).toBeTruthy();
    // Two memberships and no choice yet: no active organization.
    expect(region.getByText("none")).toBeTruthy();
    const claims = JSON.parse(region.getByTestId("authpi-devtools-claims").textContent ?? "");
    expect(claims).toMatchObject({ sub: "usr_alice", email: "alice@example.test", iss: idp.claims().iss });
  });

  it("counts the access token and the ID token down, every second while open", async () => {
    renderDevtools(<AuthPIDevtools initialIsOpen />);
    const access = screen.getByTestId("authpi-devtools-access-expiry");
    const id = screen.getByTestId("authpi-devtools-id-expiry");
    expect(access.textContent).toMatch(/^in (59m|1h 00m) \d\ds$/);
    expect(id.textContent).toMatch(/^in (59m|1h 00m) \d\ds$/);
    const before = access.textContent;
    await waitFor(() => expect(access.textContent).not.toBe(before), { timeout: 2_500 });
    expect(access.textContent).toMatch(/^in 59m \d\ds$/);
  });

  it("logs a refresh that happened while it was closed, with its outcome, and the next planned refresh", async () => {
    renderDevtools();
    await act(() => client.refresh());
    open();
    const rows = within(screen.getByTestId("authpi-devtools-log")).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.textContent).toContain("refresh refreshed");
    expect(rows[0]?.textContent).toMatch(/\d{2}:\d{2}:\d{2}\.\d{3}/);
    expect(rows[0]?.textContent).toMatch(/\d+ ms/);
    // A fresh hour-long token refreshes a minute before it expires.
    expect(screen.getByTestId("authpi-devtools-next-refresh").textContent).toMatch(/^in 58m \d\ds \(\d{2}:\d{2}:\d{2}\.\d{3}\)$/);
  });

  it("keeps the newest entries first, at most logSize", async () => {
    renderDevtools(<AuthPIDevtools logSize={2} />);
    await act(() => client.refresh());
    idp.organizations = [];
    await act(() => client.refresh());
    await act(() => client.refresh());
    open();
    expect(within(screen.getByTestId("authpi-devtools-log")).getAllByRole("row").slice(1)).toHaveLength(2);
  });
});

describe("the scope explorer", () => {
  const ask = (action: string, resource: string, org?: string) => {
    fireEvent.change(screen.getByLabelText("Action"), { target: { value: action } });
    fireEvent.change(screen.getByLabelText("Resource"), { target: { value: resource } });
    if (org !== undefined) fireEvent.change(screen.getByLabelText("Organization"), { target: { value: org } });
    return screen.getByTestId("authpi-devtools-verdict");
  };

  it("names the scope that grants the request, and where it comes from", () => {
    renderDevtools(<AuthPIDevtools initialIsOpen />);
    const verdict = ask("delete", "projects.tasks");
    expect(verdict.textContent).toBe("Allowed by projects:** in org_a.");
    expect(verdict.getAttribute("data-allowed")).toBe("true");
    expect(ask("read", "users").textContent).toBe("Allowed by users:read in org_b.");
  });

  it("says so when nothing grants it, in one organization or in any", () => {
    renderDevtools(<AuthPIDevtools initialIsOpen />);
    const verdict = ask("read", "users", "org_a");
    expect(verdict.textContent).toBe("Denied: no scope grants read on users in org_a.");
    expect(verdict.getAttribute("data-allowed")).toBe("false");
    expect(ask("delete", "users", "").textContent).toBe("Denied: no scope grants delete on users in any organization or the token scope.");
    expect(ask("*", "users").textContent).toContain("A request may not hold a wildcard");
  });

  it("lists the agent's organizations and 'any'", () => {
    renderDevtools(<AuthPIDevtools initialIsOpen />);
    const options = within(screen.getByLabelText("Organization")).getAllByRole("option");
    expect(options.map((option) => option.textContent)).toEqual(["any", "org_a (A)", "org_b (B)"]);
  });
});

describe("production", () => {
  it("the main entry renders nothing when NODE_ENV is production", async () => {
    vi.stubEnv("NODE_ENV", "production");
    // A fresh evaluation of the entry (the query makes it another module), under production.
    const entry = "../src/index.js?production";
    const { AuthPIDevtools: Production } = (await import(/* @vite-ignore */ entry)) as typeof import("../src/index.js");
    expect(Production).not.toBe(AuthPIDevtools);
    const { container } = renderDevtools(<Production initialIsOpen />);
    expect(container.innerHTML).toBe("");
  });

  it("@authpi/devtools/production renders the panel whatever NODE_ENV says", () => {
    vi.stubEnv("NODE_ENV", "production");
    renderDevtools(<AlwaysDevtools initialIsOpen />);
    expect(panel()).not.toBeNull();
    expect(toggle().getAttribute("aria-expanded")).toBe("true");
  });
});
