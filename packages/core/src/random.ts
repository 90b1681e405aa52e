// PKCE and request binding values (RFC 7636 §4.1, §7.1; RFC 9700 §2.1.1):
// 32 bytes from the CSPRNG, base64url-encoded to 43 unreserved characters.

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** 256 bits of randomness, for `state`, `nonce` and the code verifier. */
export function randomToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The S256 code challenge: BASE64URL(SHA-256(ASCII(verifier))). `plain` is never used. */
export async function s256(value: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value))));
}
