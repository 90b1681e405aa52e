// @vitest-environment node
// A real server: no window, no document, no storage. The session cannot be
// known here, so everything renders as `loading`, and nothing crashes.
import { renderToString, version } from "react-dom/server";
import { StrictMode } from "react";
import { describe, expect, it } from "vitest";
import { AuthPIProvider, RequireAccess, useAuthPI } from "../src/index.js";
import { CLIENT_ID, createIdp, ISSUER, memoryStorage, seedSession } from "./support/idp.js";

function Status() {
  const { status, isLoading } = useAuthPI();
  return <p>{`${status} ${String(isLoading)}`}</p>;
}

describe("server rendering", () => {
  it("renders loading, even with a stored session, from config props", async () => {
    expect(typeof window).toBe("undefined");
    expect(version.split(".")[0]).toBe(process.env.REACT_MAJOR);
    const storage = memoryStorage();
    seedSession(storage, await createIdp());
    const html = renderToString(
      <StrictMode>
        <AuthPIProvider issuerUrl={ISSUER} clientId={CLIENT_ID} redirectUri="https://app.example.test/callback" storage={storage}>
          <Status />
          <RequireAccess loading={<span>checking access</span>} unauthenticated="sign in" fallback="no">
            secret
          </RequireAccess>
        </AuthPIProvider>
      </StrictMode>,
    );
    expect(html).toContain("loading true");
    expect(html).toContain("checking access");
    expect(html).not.toContain("secret");
  });
});
