// Sealing without WebCrypto, whose thread pool a fake clock cannot order: the same contract as
// sealed-record.ts (only the replaced token opens it), in the clear. The real sealing is
// tab-security.test.ts's. Use: vi.mock("../src/sealed-record.js", () => import("./support/plain-sealing.js")).
import { digestOf } from "../../src/tab-coordinator.js";

export const seal = async (value: unknown, token: string) => ({ iv: new Uint8Array(12), data: new TextEncoder().encode(JSON.stringify({ key: digestOf(token), value })) });

export async function unseal(sealed: { data: Uint8Array }, token: string): Promise<unknown> {
  const opened = JSON.parse(new TextDecoder().decode(sealed.data)) as { key: string; value: unknown };
  return opened.key === digestOf(token) ? opened.value : undefined;
}
