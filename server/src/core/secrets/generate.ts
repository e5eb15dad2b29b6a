import { randomBytes } from 'node:crypto';
import { AppError } from '../app-error.js';

/**
 * Substrings MediaNest's production validator (backend/src/config/secrets-validator.ts) refuses in
 * a secret, case-insensitively. It checks JWT_SECRET, ENCRYPTION_KEY, DATABASE_URL, METRICS_TOKEN
 * and friends; a value containing any of these stops the backend at startup.
 */
export const REJECTED_SUBSTRINGS = [
  'test',
  'demo',
  'example',
  'default',
  'changeme',
  'password',
  '123456',
  'secret',
  'development',
  'dev',
] as const;

/** True when MediaNest's validator accepts `value` (no rejected substring, any case). */
export function isAcceptedByMediaNest(value: string): boolean {
  const lower = value.toLowerCase();
  return !REJECTED_SUBSTRINGS.some((word) => lower.includes(word));
}

/** Bytes from a CSPRNG; injectable so tests can force a re-roll. */
export type RandomSource = (size: number) => Uint8Array;

/** 256 bits. */
export const SECRET_BYTES = 32;

/** Enough tries that a CSPRNG never runs out (P(hex contains "123456") is about 1e-5 per value). */
const MAX_ROLLS = 64;

/**
 * A new secret: 256 bits from the CSPRNG as 64 lowercase hex characters, so it needs no escaping in
 * a URL, a shell or a config line. Re-rolled until MediaNest's validator accepts it and `accept`
 * (for example "the database URL built from it is accepted too") agrees.
 */
export function generateSecret(
  random: RandomSource = randomBytes,
  accept: (value: string) => boolean = () => true,
): string {
  for (let roll = 0; roll < MAX_ROLLS; roll += 1) {
    const bytes = random(SECRET_BYTES);
    if (bytes.length !== SECRET_BYTES) {
      throw new AppError('internal', `The random source returned ${bytes.length} bytes, not 32.`);
    }
    const value = Buffer.from(bytes).toString('hex');
    if (isAcceptedByMediaNest(value) && accept(value)) return value;
  }
  throw new AppError(
    'internal',
    'Could not generate an acceptable secret: the random source repeats.',
  );
}

/** The backend's DATABASE_URL. User and database "medianest": nothing the validator refuses. */
export function databaseUrl(postgresPassword: string): string {
  return `postgresql://medianest:${postgresPassword}@postgres:5432/medianest`;
}

/** The backend's REDIS_URL. */
export function redisUrl(redisPassword: string): string {
  return `redis://:${redisPassword}@redis:6379`;
}
