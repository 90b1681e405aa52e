import { AuthPIClient, type AuthPIClientOptions } from "@authpi/core";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { AuthPIContext } from "./store.js";

interface CommonProps {
  children?: ReactNode;
  /**
   * Called once after a login completes, with the same-origin path the login
   * started from: hand it to your router. Default: `history.replaceState`,
   * then a `popstate` event, so code that reads `location` on `popstate`
   * (hand-rolled routing, routers listening to history) sees the new path.
   */
  onRedirectCallback?: ((returnTo: string) => void) | undefined;
}

/** A client built outside React (recommended: one per app, module scope). */
type ClientProps = { client: AuthPIClient } & { [K in keyof AuthPIClientOptions]?: never };
/** Or its options: the provider builds the client once, at mount. */
type ConfigProps = AuthPIClientOptions & { client?: never };

export type AuthPIProviderProps = CommonProps & (ClientProps | ConfigProps);

// replaceState alone tells no one (peer kits stop there, and a router-less app stays on its
// callback view): the same event Back and Forward fire makes every history listener re-read location.
function replaceLocation(returnTo: string): void {
  history.replaceState(history.state, "", returnTo);
  dispatchEvent(new PopStateEvent("popstate", { state: history.state }));
}

/**
 * Makes a client available to the hooks and runs it while mounted: the
 * client's `mount()` starts it (completing a redirect callback once, even
 * under StrictMode) and its last unmount disposes it, so several providers
 * may share one client. The client — given or built — is fixed at mount:
 * later changes to `client` or to the config props are ignored; give the
 * provider a new `key` to switch.
 */
export function AuthPIProvider({ children, onRedirectCallback = replaceLocation, ...props }: AuthPIProviderProps) {
  // The constructor only reads storage, so building it here (twice under StrictMode) is harmless.
  const [client] = useState(() => props.client ?? new AuthPIClient(props as AuthPIClientOptions));
  // The latest callback, read when the login completes: an inline function must not restart the client.
  const onRedirect = useRef(onRedirectCallback);
  useEffect(() => {
    onRedirect.current = onRedirectCallback;
  });

  useEffect(() => {
    let mounted = true;
    const unmount = client.mount();
    // The callback the page was loaded on, while the client completes it; a failure is the snapshot's `error`.
    void client.start().then((result) => {
      if (mounted && result) onRedirect.current(result.returnTo);
    });
    return () => {
      mounted = false;
      unmount();
    };
  }, [client]);

  return <AuthPIContext.Provider value={client}>{children}</AuthPIContext.Provider>;
}
