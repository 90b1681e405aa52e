import type { OAuthError } from "../../src/index.js";

/** The error a promise rejects with; fails the test when it resolves instead. */
export async function rejection(promise: Promise<unknown>): Promise<OAuthError> {
  try {
    await promise;
  } catch (error) {
    return error as OAuthError;
  }
  throw new Error("expected a rejection");
}
