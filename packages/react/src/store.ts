import type { AuthPIClient, AuthSnapshot } from "@authpi/core";
import { createContext, useContext, useRef, useSyncExternalStore } from "react";

/**
 * What the React binding needs from a client: the store half (`getSnapshot`,
 * `subscribe`) and the actions. `AuthPIClient` satisfies it, and so does the
 * mock store of `@authpi/react/testing`.
 */
export type AuthPIStore = Pick<AuthPIClient, "getSnapshot" | "subscribe" | "loginWithRedirect" | "logout" | "getAccessToken" | "setActiveOrg">;

/** Holds the store itself, never its state: a token refresh must not re-render every consumer. */
export const AuthPIContext = createContext<AuthPIStore | null>(null);

export function useAuthPIStore(caller: string): AuthPIStore {
  const store = useContext(AuthPIContext);
  if (!store) throw new Error(`${caller} must be used inside <AuthPIProvider> (or <MockAuthPIProvider> in tests)`);
  return store;
}

/** A server render (and hydration) cannot know the session, which lives in the browser's storage. */
const serverSnapshot: AuthSnapshot = Object.freeze({ status: "loading", agent: null, error: null, activeOrg: null, restrictedTo: null, stale: false });

/**
 * The binding in one line, as in zustand: a component re-renders only when
 * what it selects changes (`Object.is`), so selectors must return primitives
 * or objects the snapshot already holds.
 */
export function useAuthSelector<T>(caller: string, select: (snapshot: AuthSnapshot) => T, isEqual?: (a: T, b: T) => boolean): T {
  const store = useAuthPIStore(caller);
  // With `isEqual`, an equal selection keeps the previous value (zustand's useStoreWithEqualityFn):
  // a refresh yields new objects with the same content, which must not re-render.
  const last = useRef<{ value: T } | null>(null);
  const stable = (value: T): T => {
    if (isEqual && last.current && isEqual(last.current.value, value)) return last.current.value;
    last.current = { value };
    return value;
  };
  return useSyncExternalStore(
    store.subscribe,
    () => stable(select(store.getSnapshot())),
    () => select(serverSnapshot),
  );
}
