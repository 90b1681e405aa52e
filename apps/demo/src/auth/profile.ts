import type { AuthenticatedAgent } from "@authpi/core";

/** The `name` claim (scope `profile`), else the email, else the subject. */
export function displayName(agent: AuthenticatedAgent): string {
  const name = agent.claims["name"];
  return typeof name === "string" && name.trim() !== "" ? name : (agent.email ?? agent.id);
}

export function initials(name: string): string {
  const letters = name
    .split(/[\s@._-]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() ?? "");
  return letters.slice(0, 2).join("") || "?";
}
