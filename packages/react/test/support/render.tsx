// Every test renders inside <StrictMode>, as apps do in development: effects
// run twice, and the provider must still exchange the code and navigate once.
import { cleanup, render, type RenderOptions } from "@testing-library/react";
import { StrictMode, type ReactNode } from "react";
import { afterEach } from "vitest";

afterEach(cleanup);

export function renderStrict(ui: ReactNode, options: Omit<RenderOptions, "wrapper"> = {}) {
  return render(ui, { ...options, wrapper: StrictMode });
}
