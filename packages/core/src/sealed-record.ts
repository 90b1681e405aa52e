// Tokens cross tabs sealed (AES-GCM) under a key derived from the refresh
// token they replace: only a tab that already holds that token — a copy of
// the tab that spent it (a duplicated tab, a window.open child) — can read
// them. Any other same-origin page listening on the channel sees ciphertext.

export interface Sealed {
  iv: Uint8Array<ArrayBuffer>;
  data: Uint8Array<ArrayBuffer>;
}

async function keyFrom(refreshToken: string, usage: "encrypt" | "decrypt"): Promise<CryptoKey> {
  const raw = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`authpi tab handoff ${refreshToken}`));
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, [usage]);
}

export async function seal(value: unknown, refreshToken: string): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify(value));
  return { iv, data: new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await keyFrom(refreshToken, "encrypt"), plain)) };
}

/** The sealed value, or `undefined` when it was not sealed for this refresh token (or was tampered with). */
export async function unseal(sealed: unknown, refreshToken: string): Promise<unknown> {
  try {
    const { iv, data } = sealed as Sealed;
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv }, await keyFrom(refreshToken, "decrypt"), data);
    return JSON.parse(new TextDecoder().decode(plain));
  } catch {
    return undefined;
  }
}
