import type { ReactNode } from "react";
import { LockIcon } from "./Icons";

/** Signed in, but not allowed: says what is missing instead of hiding the page. */
export function AccessDenied({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="card notice" data-testid="access-denied" aria-labelledby="access-denied-title">
      <span className="notice-icon">
        <LockIcon />
      </span>
      <div>
        <h2 id="access-denied-title">{title}</h2>
        {children}
      </div>
    </section>
  );
}
