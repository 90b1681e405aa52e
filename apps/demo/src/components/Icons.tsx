// Inline icons: no icon font or emoji, which a minimal system may not have.

export function LockIcon() {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path
        d="M7 10V7a5 5 0 0 1 10 0v3h1a1 1 0 0 1 1 1v9a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1v-9a1 1 0 0 1 1-1h1zm2 0h6V7a3 3 0 0 0-6 0v3zm3 4a1.5 1.5 0 0 0-1 2.6V18h2v-1.4a1.5 1.5 0 0 0-1-2.6z"
        fill="currentColor"
      />
    </svg>
  );
}

export function AlertIcon() {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path d="M10.5 4.5h3v10h-3zm0 12h3v3h-3z" fill="currentColor" />
    </svg>
  );
}

export function BuildingIcon() {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path d="M4 21V4a1 1 0 0 1 1-1h9a1 1 0 0 1 1 1v5h4a1 1 0 0 1 1 1v11h-7v-4h-4v4H4zm3-14v2h2V7H7zm4 0v2h2V7h-2zm-4 4v2h2v-2H7zm4 0v2h2v-2h-2zm5 0v2h2v-2h-2zm0 4v2h2v-2h-2z" fill="currentColor" />
    </svg>
  );
}
