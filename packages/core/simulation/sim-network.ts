// The network between the tabs and the IdP (and the app's API). Each request draws its latency
// (up and down legs, 0–15 s in all) and its fault from the run's PRNG:
// - before the IdP: drop (fetch rejects with a TypeError), timeout (no answer; the client's
//   timeout fires in simulated time), 408, 429/503 with Retry-After, 500, a proxy's HTML page
//   (502, or a 4xx without an OAuth error): the IdP never saw the request;
// - after the IdP: the answer is lost (dropped or too slow): the IdP did the work.
// The client's `AbortSignal.timeout` is a real timer: it is ignored, and the timeout is simulated.
import type { Page, SimBrowser } from "./sim-browser.js";
import type { IdpRequest, SimIdp, HttpAnswer } from "./sim-idp.js";
import { chance, randomInt, simRandom } from "./sim-random.js";
import { short, type Trace } from "./trace.js";

export interface NetworkFaults {
  /** Probability of any fault on one request. */
  faultRate: number;
  /** Probability that a request is slow (1–15 s) rather than quick (5–400 ms). */
  slowRate: number;
  timeoutMs: number;
}

export interface SentToken {
  page: Page;
  token: string;
  at: number;
}

const FAULTS = ["drop", "timeout", "408", "429", "503", "500", "html-502", "html-400", "answer-lost"] as const;
type Fault = (typeof FAULTS)[number] | null;

export class SimNetwork {
  readonly requests: IdpRequest[] = [];
  /** Bearer tokens the app's API received: what getAccessToken() gave the app. */
  readonly apiTokens: SentToken[] = [];
  /** No faults (the quiet end of a run). */
  calm = false;
  /** Offline until this time (true ms). */
  offlineUntil = 0;
  #ids = 0;

  constructor(
    private readonly browser: SimBrowser,
    private readonly idp: SimIdp,
    private readonly trace: Trace,
    readonly faults: NetworkFaults,
    private readonly onRequest: (request: IdpRequest, page: Page) => void,
  ) {}

  #latency(): number {
    return chance(this.faults.slowRate) ? randomInt(1_000, 7_500) : randomInt(2, 200);
  }

  #fault(): Fault {
    if (this.calm) return null;
    if (this.browser.loop.now < this.offlineUntil) return "drop";
    if (!chance(this.faults.faultRate)) return null;
    return FAULTS[Math.floor(simRandom() * FAULTS.length)] as Fault;
  }

  fetch(page: Page, input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
    const loop = this.browser.loop;
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (input instanceof Request ? input.method : init.method) ?? "GET";
    const params = new URLSearchParams(typeof init.body === "string" || init.body instanceof URLSearchParams ? String(init.body) : "");
    if (url.origin === "https://api.test") {
      const auth = input instanceof Request ? input.headers.get("authorization") : null;
      this.apiTokens.push({ page, token: auth?.replace(/^Bearer /, "") ?? "", at: loop.now });
      return this.#answerAfter(page, 5, { status: 200, headers: { "content-type": "application/json" }, body: "{}" }, `← api 200`);
    }
    const path = url.pathname.replace(/^\/i_sim/, "");
    const request: IdpRequest = {
      id: (this.#ids += 1),
      sentAt: loop.now,
      page: page.label,
      tab: page.tab.id,
      path,
      grantType: params.get("grant_type"),
      refreshToken: path === "/token" ? params.get("refresh_token") : path === "/revoke" ? params.get("token") : null,
      processedAt: null,
      outcome: "",
      issued: null,
      fate: "pending",
      deliveredAt: null,
      pageRef: page,
    };
    this.requests.push(request);
    const fault = this.#fault();
    const up = this.#latency();
    const down = this.#latency();
    const what = path === "/token" ? `${params.get("grant_type")} ${short(params.get("refresh_token") ?? params.get("code"))}` : path === "/revoke" ? `revoke ${short(params.get("token"))}` : path;
    this.trace.line(page.label, `→ ${method} ${what}${fault ? ` [fault ${fault}]` : ""} (${up}+${down} ms)`);
    this.onRequest(request, page);
    page.pendingFetches += 1;
    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      // eslint-disable-next-line prefer-const
      let timeout: { cancelled: boolean } = { cancelled: false };
      const settle = (fate: IdpRequest["fate"]) => {
        if (settled) return false;
        settled = true;
        timeout.cancelled = true;
        page.pendingFetches -= 1;
        request.fate = fate;
        if (fate === "delivered") request.deliveredAt = loop.now;
        return true;
      };
      const lostWithPage = () => {
        if (!settled) {
          settled = true;
          request.fate = "lost-page";
        }
      };
      // The client's timeout (requestTimeoutSeconds), in simulated time.
      timeout = loop.at(
        this.faults.timeoutMs,
        page,
        `fetch timeout ${what}`,
        () => {
          if (settle(request.processedAt === null ? "lost-network" : "lost-timeout")) reject(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
        },
        "timer",
        lostWithPage,
      );
      const deliver = (answer: HttpAnswer | "drop", label: string) =>
        loop.at(
          down,
          page,
          label,
          () => {
            if (answer === "drop") {
              if (settle("lost-network")) reject(new TypeError("fetch failed"));
              return;
            }
            if (settle("delivered")) resolve(toResponse(answer));
          },
          "io",
          lostWithPage,
        );
      if (fault === "timeout") return; // never answered
      if (fault === "drop") {
        loop.at(up, page, `fetch failed ${what}`, () => settle("lost-network") && reject(new TypeError("fetch failed")), "io", lostWithPage);
        return;
      }
      const proxy = proxyAnswer(fault);
      if (proxy) {
        deliver(proxy, `← ${proxy.status} (proxy) ${what}`);
        return;
      }
      loop.at(up, null, `IdP ${method} ${path}`, () => {
        const answer = this.#process(path, params, request);
        if (fault === "answer-lost") {
          this.trace.line("IdP", `${request.outcome || answer.status}; the answer is lost on the way`);
          if (chance(0.5)) deliver("drop", `answer lost ${what}`);
          return;
        }
        this.trace.line("IdP", `${answer.status} ${request.outcome}`);
        deliver(answer, `← ${answer.status} ${what}`);
      });
    });
  }

  #process(path: string, params: URLSearchParams, request: IdpRequest): HttpAnswer {
    request.processedAt = this.browser.loop.now;
    switch (path) {
      case "/.well-known/openid-configuration":
        return this.idp.discovery();
      case "/jwks":
        return this.idp.jwks();
      case "/token":
        return this.idp.token(params, request);
      case "/revoke":
        return this.idp.revoke(params, request);
      default:
        return { status: 404, headers: { "content-type": "application/json" }, body: '{"error":"not_found"}' };
    }
  }

  #answerAfter(page: Page, ms: number, answer: HttpAnswer, label: string): Promise<Response> {
    return new Promise((resolve) => this.browser.loop.at(ms, page, label, () => resolve(toResponse(answer))));
  }
}

/** What a proxy or an overloaded IdP answers instead: the IdP itself never saw the request. */
function proxyAnswer(fault: Fault): HttpAnswer | null {
  const retryAfter = String(randomInt(1, 120));
  switch (fault) {
    case "408":
      return { status: 408, headers: { "content-type": "text/plain" }, body: "Request Timeout" };
    case "429":
      return { status: 429, headers: { "content-type": "application/json", "retry-after": retryAfter }, body: '{"error":"slow_down"}' };
    case "503":
      return { status: 503, headers: { "content-type": "text/html", "retry-after": retryAfter }, body: "<html>busy</html>" };
    case "500":
      return { status: 500, headers: { "content-type": "application/json" }, body: '{"error":"server_error"}' };
    case "html-502":
      return { status: 502, headers: { "content-type": "text/html" }, body: "<html>Bad Gateway</html>" };
    case "html-400":
      return { status: 400, headers: { "content-type": "text/html" }, body: "<html>Bad Request</html>" };
    default:
      return null;
  }
}

/** The few members of a Response the client reads (status, headers, text): no undici stream in the loop. */
function toResponse(answer: HttpAnswer): Response {
  const headers = new Headers(answer.headers);
  return {
    ok: answer.status >= 200 && answer.status < 300,
    status: answer.status,
    headers,
    text: async () => answer.body,
    json: async () => JSON.parse(answer.body) as unknown,
  } as unknown as Response;
}
