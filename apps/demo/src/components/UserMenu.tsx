import { useAuthPI } from "@authpi/react";
import { useState } from "react";
import { displayName, initials } from "../auth/profile";

export function UserMenu() {
  const { status, agent, login, logout } = useAuthPI();
  const [leaving, setLeaving] = useState(false);

  if (status === "loading") return <span className="user-menu-placeholder" aria-hidden="true" />;

  if (status !== "authenticated" || !agent) {
    return (
      <button type="button" className="button primary" data-testid="login" onClick={() => void login()}>
        Sign in
      </button>
    );
  }

  const name = displayName(agent);
  const signOut = () => {
    setLeaving(true);
    // logout() signs out every tab, then navigates to the IdP's end-session page.
    logout().catch(() => setLeaving(false));
  };
  return (
    <div className="user-menu">
      <span className="avatar" aria-hidden="true">
        {initials(name)}
      </span>
      <span className="user-menu-text">
        <span className="user-menu-name">{name}</span>
        <span className="user-menu-email" data-testid="user-email">
          {agent.email ?? "no email"}
        </span>
      </span>
      <button type="button" className="button subtle" data-testid="logout" onClick={signOut} disabled={leaving}>
        {leaving ? "Signing out…" : "Sign out"}
      </button>
    </div>
  );
}
