import { useOrgChoice } from "../auth/org";
import { AccessDenied } from "./AccessDenied";
import { BuildingIcon } from "./Icons";

/**
 * `noActiveOrg` of the gated pages: no organization is active in this tab.
 * With several memberships the user picks one; with none there is nothing to pick.
 */
export function PickOrg({ what }: { what: string }) {
  const { choices, setActiveOrg } = useOrgChoice();
  if (choices.length === 0) {
    return (
      <AccessDenied title="You are not in any organization">
        <p>{what} belong to organizations. Once an owner invites you, theirs will show up here.</p>
      </AccessDenied>
    );
  }
  return (
    <section className="card notice" data-testid="pick-org" aria-labelledby="pick-org-title">
      <span className="notice-icon">
        <BuildingIcon />
      </span>
      <div>
        <h2 id="pick-org-title">Pick an organization</h2>
        <p className="muted">
          {what} belong to an organization, and you are in {choices.length}. The one you pick stays active in this tab, across reloads.
        </p>
        <div className="actions">
          {choices.map((org) => (
            <button key={org.id} type="button" className="button secondary" onClick={() => void setActiveOrg(org.id)}>
              {org.title}
            </button>
          ))}
        </div>
      </div>
    </section>
  );
}
