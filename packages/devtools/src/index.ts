import { AuthPIDevtools as Panel, type AuthPIDevtoolsProps } from "./devtools.js";

export type { AuthPIDevtoolsProps } from "./devtools.js";

// Bundlers replace `process.env.NODE_ENV` with a literal, so in a production build this is
// `"production" === "production" ? … : Panel`: the panel is never referenced and, with
// `sideEffects: false`, never bundled (TanStack Query devtools do the same). Not guarded by
// `typeof process`: a guard would keep the condition dynamic and the panel in the bundle.
declare const process: { env: { NODE_ENV?: string } };

function Nothing(_props: AuthPIDevtoolsProps): null {
  return null;
}

/**
 * The devtools panel; renders nothing when `process.env.NODE_ENV` is `"production"`.
 * To show it in a production build, import it from `@authpi/devtools/production`.
 */
export const AuthPIDevtools: (props: AuthPIDevtoolsProps) => ReturnType<typeof Panel> | null =
  process.env.NODE_ENV === "production" ? Nothing : Panel;
