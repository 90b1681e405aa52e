import { useActiveAccess } from "@authpi/react";
import { membersByOrg } from "../data/members";

export function AdminPanel({ orgId, orgTitle }: { orgId: string; orgTitle: string }) {
  // The page needs the admin role; inviting is a scope on top of it (Tara has users:*).
  const canInvite = useActiveAccess("write", "users");
  const members = membersByOrg.get(orgId) ?? [];
  return (
    <section className="card" data-testid="admin-panel" aria-labelledby="members-title">
      <div className="card-header">
        <div>
          <h2 id="members-title">Members of {orgTitle}</h2>
          <p className="muted small">{members.length} people · sample data</p>
        </div>
        <button type="button" className="button primary" disabled={!canInvite} title={canInvite ? undefined : "Needs users:write"}>
          Invite member
        </button>
      </div>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
            </tr>
          </thead>
          <tbody>
            {members.map((member) => (
              <tr key={member.email}>
                <td>
                  {member.name}
                  {member.blocked && <span className="badge danger">Blocked</span>}
                </td>
                <td>
                  <code>{member.email}</code>
                </td>
                <td>
                  <span className="badge">{member.role}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
