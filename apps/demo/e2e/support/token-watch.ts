// What the IdP's token endpoint answered during a browser test: every real answer
// with its time and error code, so a fault scenario can count refreshes and invalid_grant.
import type { BrowserContext, Request } from "playwright-core";

interface TokenAnswer {
  status: number;
  error: string | undefined;
  at: number;
}

/**
 * Every answer of the IdP's token endpoint in this context (every tab). Answers
 * a test fakes with `route.fulfill` are left out: pass them to `faked`.
 */
export function watchToken(context: BrowserContext, tokenUrl: string) {
  const answers: TokenAnswer[] = [];
  const faked = new WeakSet<Request>();
  const pending: Promise<void>[] = [];
  context.on("response", (response) => {
    const request = response.request();
    if (response.url() !== tokenUrl || request.method() !== "POST" || faked.has(request)) return;
    const answer: TokenAnswer = { status: response.status(), error: undefined, at: Date.now() };
    answers.push(answer);
    if (answer.status >= 400) {
      pending.push(
        response
          .json()
          .then((body: { error?: string }) => void (answer.error = body.error))
          .catch(() => undefined),
      );
    }
  });
  return {
    answers,
    faked,
    /** Real answers since `since` (ms), by status. */
    since: (since: number) => answers.filter((answer) => answer.at >= since),
    async invalidGrants(): Promise<number> {
      await Promise.all(pending);
      return answers.filter((answer) => answer.status === 400 && answer.error === "invalid_grant").length;
    },
  };
}

export type Watch = ReturnType<typeof watchToken>;

/** Waits until `count` real 200s from the token endpoint arrived since `since`. */
export async function waitForRefreshes(watch: Watch, since: number, count: number, timeout: number): Promise<number> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    const ok = watch.since(since).filter((answer) => answer.status === 200);
    if (ok.length >= count) return ok[count - 1]!.at;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`fewer than ${count} refreshes within ${timeout} ms (answers: ${JSON.stringify(watch.since(since))})`);
}
