/** A membership from the `organizations` claim, in camelCase (`joined_at` → `joinedAt`). */
export interface Organization {
  readonly id: string;
  readonly title: string | null;
  readonly scopes: readonly string[];
  /** Unix seconds. */
  readonly joinedAt: number;
}

/**
 * The tokens of one session: plain and JSON-serialisable so apps can store them.
 * `expiresAt` is the access token's expiry in unix seconds.
 */
export interface TokenSet {
  readonly accessToken: string;
  readonly idToken: string;
  readonly refreshToken?: string;
  readonly tokenType: string;
  /** Token-level scopes, space-separated, as the token endpoint returned them. */
  readonly scope: string;
  readonly expiresAt: number;
}

/** The verified ID-token payload. */
export interface IdTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | readonly string[];
  readonly exp: number;
  readonly iat: number;
  readonly nonce?: string;
  readonly auth_time?: number;
  readonly azp?: string;
  readonly email?: string;
  readonly email_verified?: boolean;
  readonly organizations?: unknown;
  readonly [claim: string]: unknown;
}

/** The userinfo response (OIDC Core §5.3.2), organizations in camelCase. */
export interface UserInfo {
  readonly sub: string;
  readonly name?: string;
  readonly given_name?: string;
  readonly family_name?: string;
  readonly picture?: string;
  readonly locale?: string;
  readonly email?: string;
  readonly email_verified?: boolean;
  readonly organizations: readonly Organization[];
  readonly [claim: string]: unknown;
}
