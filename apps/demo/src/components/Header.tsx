import { useAuthPI } from "@authpi/react";
import { Link, NavLink } from "react-router";
import { useOrgSearch } from "../auth/org";
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
  const search = useOrgSearch();
  return (
    <header className="header">
      <div className="header-inner">
        <Link to={{ pathname: "/", search }} className="brand">
          <Logo />
          <span>Launchpad</span>
        </Link>
        <nav aria-label="Main" className="nav">
          {links.map(({ to, label }) => (
            <NavLink key={to} to={{ pathname: to, search }} className="nav-link">
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
