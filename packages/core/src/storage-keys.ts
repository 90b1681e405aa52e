/**
 * Every name the SDK writes to Web Storage or uses across tabs, in one list:
 * a logout removes each of them (security case 34), and a reader can see at a
 * glance what the SDK keeps where. Prefixed with the client id so two apps on
 * one origin never read each other's entries.
 */
export interface StorageKeys {
  /** The session record (configured storage). */
  readonly session: string;
  /** Logins in flight, by state (configured storage). */
  readonly logins: string;
  /** Discovery and JWKS, public data (configured storage). */
  readonly issuer: string;
  /** The state of our own RP-initiated logout, until the IdP sends us back (configured storage). */
  readonly logoutState: string;
  /** The organization this tab acts in (configured storage, per subject). */
  readonly activeOrg: string;
  /** Digests of spent refresh tokens (shared across tabs: see `ledgerStorage`). */
  readonly spent: string;
  /** The logout epoch (shared across tabs): records of another epoch are dead (tab-coordinator.ts). */
  readonly logoutEpoch: string;
  /** That this browser had a session, for new tabs (shared across tabs, no token: session-hint.ts). */
  readonly hint: string;
  /** When this tab last tried to restore a session from the IdP (configured storage). */
  readonly restore: string;
  /** BroadcastChannel and Web Lock names: not storage, but scoped the same way. */
  readonly channel: string;
  readonly lock: string;
}

export function storageKeys(clientId: string): StorageKeys {
  const prefix = `authpi:${clientId}`;
  return {
    session: `${prefix}:session`,
    logins: `${prefix}:logins`,
    issuer: `${prefix}:issuer`,
    logoutState: `${prefix}:logout`,
    activeOrg: `${prefix}:active-org`,
    spent: `${prefix}:spent`,
    logoutEpoch: `${prefix}:logout-epoch`,
    hint: `${prefix}:hint`,
    restore: `${prefix}:restore`,
    channel: prefix,
    lock: `${prefix}:refresh`,
  };
}
