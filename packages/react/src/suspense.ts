import type { AuthPIStore } from "./store.js";
import { useAuthPI, type AuthPIState } from "./hooks.js";

/** One promise per store while it is loading, so every suspended component waits on the same one. */
const settling = new WeakMap<AuthPIStore, Promise<void>>();

function settled(store: AuthPIStore): Promise<void> {
  let promise = settling.get(store);
  if (!promise) {
    promise = new Promise<void>((resolve) => {
      const unsubscribe = store.subscribe(() => {
        if (store.getSnapshot().status === "loading") return;
        unsubscribe();
        settling.delete(store);
        resolve();
      });
    });
    settling.set(store, promise);
  }
  return promise;
}

/**
 * `useAuthPI()` for apps that gate with `<Suspense>`: while the session is
 * `loading` (a restore that must refresh first, a callback being completed)
 * the component suspends, and the nearest boundary shows its fallback. The
 * status it returns is never `loading`. Thrown promises are what both React
 * 18 and React 19 suspend on. On the server the session is unknown: it
 * suspends there, and the boundary's fallback is what streams.
 */
export function useSuspenseAuthPI(): AuthPIState {
  const state = useAuthPI();
  if (state.status === "loading") throw settled(state.client);
  return state;
}
