import { useId, useState } from "react";
import { orgName, useOrgChoice } from "../auth/org";

function codeOf(error: unknown): string {
  return error instanceof Error && "error" in error && typeof error.error === "string" ? error.error : "unexpected_error";
}

/**
 * The active organization of this tab (`useActiveOrg()`). Switching is instant
 * and stays in this tab; in a session signed in to one organization only, the
 * other organizations sign in again with the new one (silent: the IdP knows you).
 */
export function OrgSwitcher() {
  const { activeOrg, choices, restrictedTo, setActiveOrg } = useOrgChoice();
  const [leaving, setLeaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const noteId = `${id}-note`;

  const change = (orgId: string) => {
    setError(null);
    const signsInAgain = restrictedTo !== null && orgId !== restrictedTo.id;
    if (signsInAgain) setLeaving(true);
    setActiveOrg(orgId).catch((reason: unknown) => {
      setLeaving(false);
      setError(codeOf(reason));
    });
  };

  const members = choices.filter((choice) => choice.member);
  const others = choices.filter((choice) => !choice.member);
  return (
    <div className="org-switcher">
      <label htmlFor={id} className="visually-hidden">
        Organization
      </label>
      <select
        id={id}
        data-testid="org-switcher"
        value={activeOrg?.id ?? ""}
        disabled={choices.length === 0 || leaving}
        aria-describedby={restrictedTo || error ? noteId : undefined}
        onChange={(event) => change(event.target.value)}
      >
        {activeOrg === null && <option value="">{choices.length === 0 ? "No organization" : "Pick an organization"}</option>}
        {members.map((org) => (
          <option key={org.id} value={org.id}>
            {org.title}
          </option>
        ))}
        {others.length > 0 && (
          <optgroup label="Switching signs in again">
            {others.map((org) => (
              <option key={org.id} value={org.id}>
                {org.title}
              </option>
            ))}
          </optgroup>
        )}
      </select>
      {error !== null ? (
        <span id={noteId} className="org-switcher-note danger" role="alert">
          Could not switch: <code>{error}</code>
        </span>
      ) : (
        restrictedTo && (
          <span id={noteId} className="org-switcher-note" data-testid="org-restricted">
            {leaving ? (
              "Signing in again…"
            ) : (
              <>
                <span>Signed in to {orgName(restrictedTo)} only.</span> <span>Switching signs in again.</span>
              </>
            )}
          </span>
        )
      )}
    </div>
  );
}
