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
    // Decoded, `/%5C%5Chost` is `/\\host`: routers and browsers read `//`, `/\`, `\\` alike as
    // protocol-relative, so no decoded path may start with two slashes of either kind or hold a backslash.
    const decoded = decodeURIComponent(url.pathname);
    return /^[/\\]{2}/.test(path) || /^[/\\]{2}/.test(decoded) || decoded.includes("\\") ? fallback : path;
  } catch {
    return fallback;
  }
}
