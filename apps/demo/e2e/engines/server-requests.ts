// Every request a test server on this process answered, seen from the server through Node's
// http diagnostics channels: the same count whatever browser sent it (WebKit's WebDriver cannot
// observe requests at all).
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { IncomingMessage, ServerResponse } from "node:http";

export interface ServerRequest {
  method: string;
  /** Path and query as the browser sent them. */
  url: string;
  /** 0 until the answer is sent. */
  status: number;
}

/** Records what the server listening on `origin` answered, until `stop()`. */
export function recordServerRequests(origin: string) {
  const port = Number(new URL(origin).port);
  const requests: ServerRequest[] = [];
  const pending = new WeakMap<ServerResponse, ServerRequest>();
  const onStart = (message: unknown) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    if (request.socket.localPort !== port) return;
    // Copied now: the dev IdP rewrites `request.url` below its issuer path.
    const entry = { method: request.method ?? "", url: request.url ?? "", status: 0 };
    requests.push(entry);
    pending.set(response, entry);
  };
  const onFinish = (message: unknown) => {
    const { response } = message as { response: ServerResponse };
    const entry = pending.get(response);
    if (entry) entry.status = response.statusCode;
  };
  subscribe("http.server.request.start", onStart);
  subscribe("http.server.response.finish", onFinish);
  return {
    requests,
    /** Forgets what was recorded so far. */
    clear: () => void (requests.length = 0),
    stop() {
      unsubscribe("http.server.request.start", onStart);
      unsubscribe("http.server.response.finish", onFinish);
    },
  };
}

export type ServerRequests = ReturnType<typeof recordServerRequests>;
