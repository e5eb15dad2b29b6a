/** Shared by the schedule and retention model tests: the zones they run in and a seeded PRNG. */

/** DST in both hemispheres, a 30-minute DST (Lord Howe), midnight changes (Santiago), none at all. */
export const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'Australia/Lord_Howe',
  'America/Santiago',
  'Asia/Kolkata',
  'UTC',
] as const;

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function modelRandom(): { random: () => number; seed: number } {
  const seed = Number(process.env.MODEL_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`model test seed: ${seed} (rerun with MODEL_SEED=${seed})`);
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { random, seed };
}
