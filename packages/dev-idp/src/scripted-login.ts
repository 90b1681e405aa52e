/**
 * Test helper: signs in at the dev IdP over real HTTP the way a browser does (cookies, redirects,
 * the login form), without a browser.
 */
import { HttpBrowser } from "./http-browser.js";

interface Form {
  action: string;
  html: string;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"' };
/** Reverses the escaping of the dev IdP's pages (numeric references) and oidc-provider's (named). */
const unescape = (value: string) =>
  value.replace(/&(?:#(\d+)|(amp|lt|gt|quot));/g, (_, code: string | undefined, name: string | undefined) =>
    code ? String.fromCharCode(Number(code)) : (ENTITIES[name ?? ""] ?? ""),
  );
/**
 * oidc-provider's self-submitting form (its form_post helper), which it uses e.g. to end the old
 * session when another user signs in: a browser submits it from a script.
 */
const AUTO_SUBMIT = /document\.forms\[0\]\.submit\(\)/;
const attr = (tag: string, name: string) => {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return match?.[1] === undefined ? undefined : unescape(match[1]);
};

function formsOf(html: string): Form[] {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].map((m) => ({
    action: attr(m[1] ?? "", "action") ?? "",
    html: m[2] ?? "",
  }));
}

/** The fields a browser submits: the form's named inputs, what the user typed, the clicked button. */
function fieldsOf(form: Form, typed: Record<string, string>, submitter?: string): URLSearchParams {
  const fields = new URLSearchParams();
  for (const [tag] of form.html.matchAll(/<input\b[^>]*>/g)) {
    const name = attr(tag, "name");
    if (name) fields.set(name, typed[name] ?? attr(tag, "value") ?? "");
  }
  if (submitter) {
    const name = attr(submitter, "name");
    if (name) fields.set(name, attr(submitter, "value") ?? "");
  }
  return fields;
}

function pageError(html: string): string {
  const alert = /role="alert"[^>]*>([\s\S]*?)<\/p>/.exec(html)?.[1];
  return alert ? unescape(alert.replace(/<[^>]+>/g, "").trim()) : "no login form on the page";
}

/**
 * Performs the login interaction for `authorizationUrl` and returns the final redirect to the
 * client's `redirect_uri` (with `code`, `state` and `iss`, or `error`, `state` and `iss`).
 * Without a password it clicks the user's button in the test-user list; with one it fills in the
 * email and password form. Throws when the IdP does not end at the redirect URI (wrong password,
 * unknown redirect URI, …).
 */
export function scriptedLogin(authorizationUrl: string, credentials: { email: string; password?: string }): Promise<string> {
  return signInWith(new HttpBrowser(), authorizationUrl, credentials);
}

/** {@link scriptedLogin} in a given browser, whose cookies (the IdP session) outlive the login. */
export async function signInWith(
  browser: HttpBrowser,
  authorizationUrl: string,
  credentials: { email: string; password?: string },
): Promise<string> {
  const redirectUri = new URL(authorizationUrl).searchParams.get("redirect_uri");
  if (!redirectUri) throw new TypeError("authorizationUrl: missing redirect_uri");
  const isCallback = (url: URL) => `${url.origin}${url.pathname}` === redirectUri;
  let submittedForm = false;

  let request: { url: URL; method: "GET" | "POST"; body?: URLSearchParams } = { url: new URL(authorizationUrl), method: "GET" };
  for (let hops = 0; hops < 20; hops++) {
    const { url, method, body } = request;
    const response = await browser.send(url, method, body);
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url);
      if (isCallback(next)) return next.href;
      request = { url: next, method: "GET" };
      continue;
    }
    const html = await response.text();
    const forms = formsOf(html);
    if (AUTO_SUBMIT.test(html) && forms[0]) {
      request = { url: new URL(forms[0].action, url), method: "POST", body: fieldsOf(forms[0], {}) };
      continue;
    }
    const loginForms = forms.filter((form) => form.action.endsWith("/login"));
    if (submittedForm || loginForms.length === 0) {
      throw new Error(`scriptedLogin: stopped at ${url.href} (${response.status}): ${pageError(html)}`);
    }
    submittedForm = true;
    request = { ...chooseSubmission(loginForms, credentials, url), method: "POST" };
  }
  throw new Error("scriptedLogin: too many redirects");
}

function chooseSubmission(
  forms: Form[],
  { email, password }: { email: string; password?: string },
  page: URL,
): { url: URL; body: URLSearchParams } {
  if (password !== undefined) {
    const form = forms.find((f) => /<input\b[^>]*name="password"/.test(f.html));
    if (!form) throw new Error("scriptedLogin: no email and password form");
    return { url: new URL(form.action, page), body: fieldsOf(form, { email, password }) };
  }
  for (const form of forms) {
    const button = [...form.html.matchAll(/<button\b[^>]*>/g)].find(([tag]) => attr(tag, "data-email") === email);
    if (button) return { url: new URL(form.action, page), body: fieldsOf(form, {}, button[0]) };
  }
  throw new Error(`scriptedLogin: no test user with email ${email} on the login page; pass a password`);
}
