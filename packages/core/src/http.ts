import { errorFromCode, InvalidResponseError, NetworkError, OAuthError } from "./errors.js";

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface HttpContext {
  fetch: FetchLike;
  timeoutMs: number;
}

/**
 * Seconds to wait from a `Retry-After` header (delta-seconds or HTTP date, RFC 9110 §10.2.3).
 * A date is the server's clock: it is measured from the answer's own `Date` when that is
 * readable, so a device clock minutes off does not shorten or stretch the wait.
 */
export function parseRetryAfter(headers: Headers, nowMs: number): number | undefined {
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const date = Date.parse(value);
  const answeredAt = Date.parse(headers.get("date") ?? "");
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - (Number.isNaN(answeredAt) ? nowMs : answeredAt)) / 1000));
}

/** Sends a request; a transport failure or timeout becomes a `NetworkError`, never a raw TypeError. */
export async function send(http: HttpContext, url: string, init: RequestInit): Promise<Response> {
  try {
    return await http.fetch(url, { ...init, signal: AbortSignal.timeout(http.timeoutMs), redirect: "error" });
  } catch (cause) {
    const timedOut = cause instanceof Error && cause.name === "TimeoutError";
    throw new NetworkError(timedOut ? `no answer from ${url} within ${http.timeoutMs} ms` : `request to ${url} failed`, { cause });
  }
}

async function readJson(response: Response, url: string): Promise<unknown> {
  const text = await response.text().catch((cause: unknown) => {
    throw new NetworkError(`reading the answer from ${url} failed`, { cause, statusCode: response.status });
  });
  try {
    return JSON.parse(text);
  } catch (cause) {
    // An HTML error page or a captive portal answering 200: never treated as success.
    throw new InvalidResponseError(`${url} answered HTTP ${response.status} with a body that is not JSON`, {
      cause,
      statusCode: response.status,
    });
  }
}

export interface JsonOptions {
  /** Map a refused token request to `RefreshError`, as the Python SDK does. */
  refresh?: boolean;
  now: number;
}

/**
 * The JSON body of a successful answer. An error answer becomes the class for
 * its `error` code (RFC 6749 §5.2), keeping the HTTP status and `Retry-After`.
 */
export async function expectJson(response: Response, url: string, options: JsonOptions): Promise<Record<string, unknown>> {
  if (response.ok) {
    const body = await readJson(response, url);
    if (!isRecord(body)) throw new InvalidResponseError(`${url} answered with JSON that is not an object`, { statusCode: response.status });
    return body;
  }
  const retryAfter = parseRetryAfter(response.headers, options.now);
  let body: unknown;
  try {
    body = await readJson(response, url);
  } catch {
    body = undefined;
  }
  const code = isRecord(body) && typeof body.error === "string" && body.error ? body.error : undefined;
  const description = isRecord(body) && typeof body.error_description === "string" ? body.error_description : undefined;
  const error = code
    ? errorFromCode(code, description, { statusCode: response.status, refresh: options.refresh ?? false })
    : new OAuthError(response.status >= 500 ? "server_error" : "invalid_response", `${url} answered HTTP ${response.status}`, {
        statusCode: response.status,
      });
  if (retryAfter !== undefined) error.retryAfter = retryAfter;
  throw error;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
