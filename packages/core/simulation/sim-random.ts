// The run's one PRNG (mulberry32), seeded by fast-check: Math.random, PKCE values and every
// fault decision draw from it, so a seed replays exactly.
let state = 1;

export function seedRandom(seed: number): void {
  state = seed >>> 0 || 1;
}

export function simRandom(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** An integer in [min, max]. */
export const randomInt = (min: number, max: number): number => min + Math.floor(simRandom() * (max - min + 1));
export const chance = (p: number): boolean => simRandom() < p;
