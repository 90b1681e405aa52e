/** One line of "what you can do": the verdict as an icon and as text, the scope as the reason. */
export function Permission({ allowed, label, scope }: { allowed: boolean; label: string; scope: string }) {
  return (
    <li className={allowed ? "permission allowed" : "permission denied"}>
      <span className="permission-icon" aria-hidden="true">
        {allowed ? "✓" : "✕"}
      </span>
      <span>
        {label}
        <span className="visually-hidden">{allowed ? ": allowed" : ": not allowed"}</span>
      </span>
      <code className="permission-scope">{scope}</code>
    </li>
  );
}
