// `@authpi/react/testing` in a real browser, served by the test's Vite server: the real hooks and
// <RequireAccess> under <MockAuthPIProvider>, signed in and signed out, with no IdP at all.
import { RequireAccess, useAccess, useAgent, useAuthPI } from "@authpi/react";
import { createTestAgent, MockAuthPIProvider } from "@authpi/react/testing";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

const agent = createTestAgent({ email: "alice@example.com", organizations: [{ id: "org_acme", scopes: ["projects:**"] }] });
/** The `login()` calls the signed-out provider received: the page reads them back. */
const logins: unknown[] = [];
Object.assign(window, { mockLogins: logins });

function Session() {
  const { status } = useAuthPI();
  const email = useAgent()?.email ?? "";
  const canDelete = useAccess("org_acme", "delete", "projects");
  return (
    <>
      <p data-testid="mock-status">{status}</p>
      <p data-testid="mock-email">{email}</p>
      <p data-testid="mock-can-delete">{String(canDelete)}</p>
      <RequireAccess org="org_acme" action="write" resource="projects" fallback={<p data-testid="mock-denied">denied</p>}>
        <p data-testid="mock-editor">editor</p>
      </RequireAccess>
      <RequireAccess org="org_acme" role="admin" fallback={<p data-testid="mock-not-admin">not admin</p>}>
        <p data-testid="mock-admin">admin</p>
      </RequireAccess>
    </>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <section data-testid="signed-in">
      <MockAuthPIProvider agent={agent}>
        <Session />
      </MockAuthPIProvider>
    </section>
    <section data-testid="signed-out">
      <MockAuthPIProvider login={(options) => void logins.push(options ?? null)}>
        <Session />
      </MockAuthPIProvider>
    </section>
  </StrictMode>,
);
