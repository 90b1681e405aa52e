interface Cookie {
  name: string;
  value: string;
  path: string;
}

/**
 * The part of a browser the scripted login needs: requests without following redirects, and a
 * cookie store for one origin (names, values, paths, expiry) — paths matter because
 * oidc-provider scopes its interaction cookies to the interaction's URL.
 */
export class HttpBrowser {
  #cookies: Cookie[] = [];

  async send(url: URL, method: "GET" | "POST" = "GET", body?: URLSearchParams, accept = "text/html,*/*;q=0.8"): Promise<Response> {
    const cookie = this.#cookieHeader(url);
    const response = await fetch(url, {
      method,
      redirect: "manual",
      // As a browser navigates: oidc-provider answers some errors with JSON unless HTML is accepted.
      headers: { accept, ...(cookie ? { cookie } : {}) },
      ...(body ? { body } : {}),
    });
    this.#store(response, url);
    return response;
  }

  #store(response: Response, url: URL): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = header.split(";").map((part) => part.trim());
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const attribute = (key: string) =>
        attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      const path = attribute("path") ?? (url.pathname.replace(/\/[^/]*$/, "") || "/");
      const maxAge = attribute("max-age");
      const expires = attribute("expires");
      const expired =
        (maxAge !== undefined && Number(maxAge) <= 0) || (expires !== undefined && Date.parse(expires) <= Date.now());
      this.#cookies = this.#cookies.filter((c) => !(c.name === name && c.path === path));
      if (!expired) this.#cookies.push({ name, value, path });
    }
  }

  #cookieHeader(url: URL): string {
    const matches = (path: string) =>
      url.pathname === path || url.pathname.startsWith(path.endsWith("/") ? path : `${path}/`);
    return this.#cookies
      .filter((c) => matches(c.path))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
  }
}
