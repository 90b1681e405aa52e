import { useAuthPI } from "@authpi/react";
import { Link, NavLink } from "react-router";
import { Logo } from "./Logo";
import { OrgSwitcher } from "./OrgSwitcher";
import { UserMenu } from "./UserMenu";

const links = [
  { to: "/dashboard", label: "Dashboard" },
  { to: "/projects", label: "Projects" },
  { to: "/admin", label: "Admin" },
];

export function Header() {
  const { isAuthenticated } = useAuthPI();
  // The gated pages are linked even when signed out: following one starts a login that comes back to it.
  return (
    <header className="header">
      <div className="header-inner">
        <Link to="/" className="brand">
          <Logo />
          <span>Launchpad</span>
        </Link>
        <nav aria-label="Main" className="nav">
          {links.map(({ to, label }) => (
            <NavLink key={to} to={to} className="nav-link">
              {label}
            </NavLink>
          ))}
        </nav>
        {isAuthenticated && <OrgSwitcher />}
        <div className="header-user">
          <UserMenu />
        </div>
      </div>
    </header>
  );
}
