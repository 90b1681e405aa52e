import { AuthPIDevtools } from "@authpi/devtools";
import { AuthPIProvider } from "@authpi/react";
import type { ReactNode } from "react";
import { useNavigate } from "react-router";
import { client } from "./client";

/** The kit's provider, handing the post-login destination to the router instead of `history.replaceState`. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const navigate = useNavigate();
  return (
    <AuthPIProvider client={client} onRedirectCallback={(returnTo) => navigate(returnTo, { replace: true })}>
      {children}
      <AuthPIDevtools />
    </AuthPIProvider>
  );
}
