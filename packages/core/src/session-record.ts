// The stored session, checked by hand rather than with zod: this runs on every
// page load, and keeping zod out of the first-load bundle saves ~5 KB gzip.
// Responses from the IdP are still parsed with zod, in the protocol chunk.
import { AuthenticatedAgent } from "./agent.js";
import type { SafeStorage } from "./storage.js";
import type { IdTokenClaims, TokenSet } from "./types.js";

/** What one client persists: one versioned record per client id. */
export interface SessionRecord {
  v: 1;
  issuer: string;
  clientId: string;
  tokens: TokenSet;
  /** The ID-token payload as verified when the tokens were received. */
  claims: IdTokenClaims;
  /** Unix seconds when the token response arrived: the lifetime is `expiresAt − receivedAt`. */
  receivedAt: number;
  /** The organization the login was restricted to (`org`), if any: refreshes keep the restriction. */
  org?: string;
  /** The logout epoch the login happened in (tab-coordinator.ts); absent before the first logout. */
  epoch?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === "string" && value !== "";
const isTime = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);
const isOptional = (value: unknown, check: (value: unknown) => boolean) => value === undefined || check(value);

/** A stored `TokenSet` (camelCase), the shape `createAgent` also accepts. */
export function isTokenSet(value: unknown): value is TokenSet {
  return (
    isObject(value) &&
    isText(value.accessToken) &&
    isText(value.idToken) &&
    isOptional(value.refreshToken, isText) &&
    isOptional(value.tokenType, (v) => typeof v === "string") &&
    isOptional(value.scope, (v) => typeof v === "string") &&
    isTime(value.expiresAt)
  );
}

/**
 * `value` as this issuer's and client's session record, or `null`. Anything
 * else — wrong types, an old version, another issuer's or client's tokens, a
 * record whose claims name another issuer — is not ours to restore.
 */
export function parseSessionRecord(value: unknown, issuer: string, clientId: string): SessionRecord | null {
  if (!isObject(value) || value.v !== 1 || value.issuer !== issuer || value.clientId !== clientId) return null;
  const { tokens, claims, receivedAt } = value;
  if (!isTokenSet(tokens) || !isObject(claims) || !isText(claims.sub) || claims.iss !== issuer || !isTime(receivedAt) || !isOptional(value.org, isText) || !isOptional(value.epoch, isText)) return null;
  const tokenSet = { ...tokens, tokenType: tokens.tokenType ?? "Bearer", scope: tokens.scope ?? "" };
  return sessionRecord(issuer, clientId, tokenSet, claims as unknown as IdTokenClaims, receivedAt, value.org as string | undefined, value.epoch as string | undefined);
}

/** The stored record, or `null`; anything unreadable is removed, and the app starts signed out. */
export function readSessionRecord(storage: SafeStorage, key: string, issuer: string, clientId: string): SessionRecord | null {
  const value = storage.getJson(key);
  if (value === undefined) return null;
  const record = parseSessionRecord(value, issuer, clientId);
  if (!record) storage.remove(key);
  return record;
}

export function sessionRecord(issuer: string, clientId: string, tokens: TokenSet, claims: IdTokenClaims, receivedAt: number, org?: string, epoch?: string): SessionRecord {
  const record: SessionRecord = { v: 1, issuer, clientId, tokens, claims, receivedAt };
  if (org !== undefined) record.org = org;
  if (epoch) record.epoch = epoch;
  return record;
}

/** The record belongs to the logout epoch `epoch`: no logout in any tab since its login. */
export const ofEpoch = (record: SessionRecord, epoch: string): boolean => (record.epoch ?? "") === epoch;

/** The agent of a stored record, or `null` when its claims cannot make one (an unknown subject prefix, bad organizations). */
export function agentFromRecord(record: SessionRecord, now: () => number): AuthenticatedAgent | null {
  try {
    return new AuthenticatedAgent(record.tokens, record.claims, now);
  } catch {
    return null;
  }
}

/**
 * The session a page starts with, read synchronously so the first render
 * already knows the user. Removed from storage, and `null`: a record that is
 * unreadable, from before the last logout in any tab (another logout epoch: a
 * tab that was away meanwhile, security case 33), or expired with no refresh token.
 */
export function restoreSession(
  storage: SafeStorage,
  key: string,
  owner: { issuerUrl: string; clientId: string; now: () => number },
  epoch: string,
): { agent: AuthenticatedAgent; record: SessionRecord } | null {
  const record = readSessionRecord(storage, key, owner.issuerUrl, owner.clientId);
  if (!record) return null;
  const agent = ofEpoch(record, epoch) ? agentFromRecord(record, owner.now) : null;
  if (agent && (!agent.isExpired(0) || agent.tokens.refreshToken)) return { agent, record };
  storage.remove(key);
  return null;
}
