export function Logo() {
  return (
    <svg className="logo" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="currentColor" />
      <path
        d="M16 6c4 3 6 7 6 11l-3 3h-6l-3-3c0-4 2-8 6-11zm0 7a2 2 0 1 0 0 4 2 2 0 0 0 0-4zM11 21l-2 5 4-2zm10 0 2 5-4-2z"
        fill="var(--accent-contrast)"
      />
    </svg>
  );
}
