// Every test renders inside <StrictMode>, as apps do in development: the log must
// subscribe once however often effects run.
import { cleanup, render } from "@testing-library/react";
import { StrictMode, type ReactNode } from "react";
import { afterEach } from "vitest";

afterEach(cleanup);

export function renderStrict(ui: ReactNode) {
  return render(ui, { wrapper: StrictMode });
}
