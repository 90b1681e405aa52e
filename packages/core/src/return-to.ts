/**
 * `returnTo` as a same-origin path (path + query + hash), or `fallback`.
 * Blocks open redirects through the post-login target (RFC 9700 §4.11.1,
 * security case 15): absolute URLs, `//host`, `/\host`, `javascript:` and
 * encoded tricks all resolve to another origin or scheme and are dropped.
 */
export function sameOriginPath(returnTo: unknown, origin: string, fallback = "/"): string {
  if (typeof returnTo !== "string" || !returnTo.startsWith("/") || returnTo.startsWith("//") || /[\\\p{Cc}]/u.test(returnTo)) {
    return fallback;
  }
  try {
    const url = new URL(returnTo, origin);
    if (url.origin !== origin) return fallback;
    const path = `${url.pathname}${url.search}${url.hash}`;
    // A path that decodes to `//host` would be read as protocol-relative by some routers.
    return path.startsWith("//") || decodeURIComponent(url.pathname).startsWith("//") ? fallback : path;
  } catch {
    return fallback;
  }
}
