/**
 * Pairing a device (a desktop) with this appliance (issue 21 §2), the appliance's side.
 *
 * The appliance shows a one-time code (10 characters of Crockford base32: 50 bits, 10 minutes, one
 * use) and its certificate's fingerprint. The device proves it knows the code with an HMAC keyed by
 * the code over the fingerprint of the certificate it actually saw, its own nonce and its name:
 * the appliance checks it against its own fingerprint, so a machine in the middle showing another
 * certificate cannot pair, even relaying the code. On success the device gets a token (256 bits,
 * kept here only as a SHA-256) and the appliance's own proof, so the device knows it spoke to the
 * holder of the code. Wrong proofs count against the caller's address and against all callers.
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { AppError } from '../app-error.js';
import { RateLimiter } from './rate-limiter.js';

/** A pairing code works once, within 10 minutes. */
export const PAIRING_CODE_TTL_MS = 10 * 60_000;
/** At most this many codes wait at once; the oldest goes first. */
const MAX_PENDING_CODES = 5;
const MAX_DEVICES = 50;
/** Crockford's base32: no I, L, O, U (nothing to misread when typing the code). */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_LENGTH = 10;
/** A device's `last seen` is written at most this often. */
const SEEN_EVERY_MS = 60_000;

export interface PairingCodeRow {
  code: string;
  createdAt: number;
  expiresAt: number;
}

export interface DeviceRow {
  id: string;
  name: string;
  tokenHash: string;
  pairedAt: number;
  lastSeenAt?: number;
  lastAddress?: string;
}

/** Pairing codes and paired devices, in appliance.db (infra/store/sqlite-devices.ts). */
export interface PairingRepository {
  addCode(row: PairingCodeRow, keep: number): void;
  /** Codes not expired at `now` (expired ones are removed). */
  liveCodes(now: number): PairingCodeRow[];
  /** Removes the code; false when another request took it first. */
  takeCode(code: string): boolean;
  addDevice(row: DeviceRow): void;
  devices(): DeviceRow[];
  deviceByTokenHash(tokenHash: string): DeviceRow | undefined;
  seen(id: string, at: number, address: string): void;
  removeDevice(id: string): boolean;
}

export interface PairingDeps {
  repository: PairingRepository;
  now: () => number;
  /** This appliance's certificate fingerprint (SHA-256, `AB:CD:...`); undefined without HTTPS. */
  fingerprint: () => string | undefined;
  /** Called when a device is revoked (its open event streams close). */
  onRevoked?: (id: string) => void;
  limiter?: RateLimiter;
  /** Every caller together: 30 wrong codes an hour, whatever their addresses. */
  globalLimiter?: RateLimiter;
}

export interface PairRequest {
  deviceName: string;
  /** The device's random nonce (hex, 32 bytes). */
  nonce: string;
  /** HMAC-SHA256 (hex) keyed by the code: see `pairingProof`. */
  proof: string;
}

/** The code as the key: upper case, without the dash or spaces a user typed. */
export const normalizeCode = (code: string): string => code.replace(/[\s-]/g, '').toUpperCase();

/** `ABCDE-FGHJK`, as shown to the user. */
export const displayCode = (code: string): string => `${code.slice(0, 5)}-${code.slice(5)}`;

/**
 * The proof each side gives: `device` proves the code over the certificate it saw; `appliance`
 * answers with its own over the same words, the device's nonce and the token it issued.
 */
export function pairingProof(
  role: 'device' | 'appliance',
  code: string,
  parts: { fingerprint: string; nonce: string; deviceName: string; token?: string },
): string {
  const words = [
    `medianest-appliance-pairing-v1 ${role}`,
    parts.fingerprint.toUpperCase(),
    parts.nonce,
    parts.deviceName,
    parts.token ?? '',
  ].join('\n');
  return createHmac('sha256', normalizeCode(code)).update(words).digest('hex');
}

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

function newCode(): string {
  // 5 bits from each byte; 256 is a multiple of 32, so every character is equally likely.
  return [...randomBytes(CODE_LENGTH)].map((b) => ALPHABET[b % 32]).join('');
}

function checkRequest(request: PairRequest): void {
  const field = (name: string, message: string): never => {
    throw new AppError('validation_failed', `${name}: ${message}`, { field: name });
  };
  const name = request.deviceName.trim();
  if (name.length === 0 || name.length > 64 || /[\p{Cc}]/u.test(name))
    field('deviceName', 'give a name of 1 to 64 characters, without control characters.');
  if (!/^[0-9a-f]{64}$/.test(request.nonce)) field('nonce', 'expected 64 hex digits.');
  if (!/^[0-9a-f]{64}$/.test(request.proof)) field('proof', 'expected 64 hex digits.');
}

export class PairingService {
  private readonly limiter: RateLimiter;
  private readonly globalLimiter: RateLimiter;

  constructor(private readonly deps: PairingDeps) {
    const now = deps.now;
    this.limiter = deps.limiter ?? new RateLimiter({ maxAttempts: 5, windowMs: 15 * 60_000, now });
    this.globalLimiter =
      deps.globalLimiter ?? new RateLimiter({ maxAttempts: 30, windowMs: 60 * 60_000, now });
  }

  private requireFingerprint(): string {
    const fingerprint = this.deps.fingerprint();
    if (!fingerprint) {
      throw new AppError(
        'conflict',
        'Pairing needs the appliance served over HTTPS beyond loopback (`serve --host 0.0.0.0`, without --insecure-plain-http): the code is bound to its certificate.',
      );
    }
    return fingerprint;
  }

  /** A new one-time code, with what the user compares on the device. */
  issueCode(): { code: string; expiresAt: number; fingerprint: string } {
    const fingerprint = this.requireFingerprint();
    const now = this.deps.now();
    const code = newCode();
    const expiresAt = now + PAIRING_CODE_TTL_MS;
    this.deps.repository.addCode({ code, createdAt: now, expiresAt }, MAX_PENDING_CODES);
    return { code: displayCode(code), expiresAt, fingerprint };
  }

  /**
   * A device's pairing: its proof checked against every live code over this appliance's own
   * fingerprint. Returns the device's token (shown once) and the appliance's proof.
   */
  pair(
    request: PairRequest,
    address: string,
  ): { deviceId: string; token: string; applianceProof: string; fingerprint: string } {
    checkRequest(request);
    const fingerprint = this.requireFingerprint();
    for (const [limiter, key, who] of [
      [this.limiter, address, 'from this address'],
      [this.globalLimiter, '*', 'on this appliance'],
    ] as const) {
      const decision = limiter.check(key);
      if (!decision.allowed) {
        const minutes = Math.ceil(decision.retryAfterMs / 60_000);
        throw new AppError(
          'rate_limited',
          `Too many wrong pairing codes ${who}. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
          { retryAfterSeconds: Math.ceil(decision.retryAfterMs / 1000) },
        );
      }
    }
    const deviceName = request.deviceName.trim();
    const given = Buffer.from(request.proof, 'hex');
    let match: string | undefined;
    // Every live code is compared, in constant time, whichever matches.
    for (const { code } of this.deps.repository.liveCodes(this.deps.now())) {
      const expected = Buffer.from(
        pairingProof('device', code, { fingerprint, nonce: request.nonce, deviceName }),
        'hex',
      );
      if (timingSafeEqual(expected, given)) match = code;
    }
    if (!match || !this.deps.repository.takeCode(match)) {
      this.limiter.fail(address);
      this.globalLimiter.fail('*');
      throw new AppError(
        'unauthorized',
        'Pairing refused: the code is wrong, expired or already used, or the certificate this device sees is not the appliance’s (compare the fingerprints). Nothing was paired.',
      );
    }
    if (this.deps.repository.devices().length >= MAX_DEVICES) {
      throw new AppError(
        'conflict',
        `At most ${MAX_DEVICES} devices can be paired; revoke one first.`,
      );
    }
    const token = randomBytes(32).toString('base64url');
    const deviceId = randomUUID();
    this.deps.repository.addDevice({
      id: deviceId,
      name: deviceName,
      tokenHash: sha256(token),
      pairedAt: this.deps.now(),
      lastSeenAt: this.deps.now(),
      lastAddress: address,
    });
    const applianceProof = pairingProof('appliance', match, {
      fingerprint,
      nonce: request.nonce,
      deviceName,
      token,
    });
    return { deviceId, token, applianceProof, fingerprint };
  }

  /** The device a bearer token belongs to (its last use recorded), or undefined. */
  deviceOf(token: string, address: string): DeviceRow | undefined {
    const device = this.deps.repository.deviceByTokenHash(sha256(token));
    if (!device) return undefined;
    const now = this.deps.now();
    if (now - (device.lastSeenAt ?? 0) >= SEEN_EVERY_MS || device.lastAddress !== address)
      this.deps.repository.seen(device.id, now, address);
    return device;
  }

  /** Whether device `id` is still paired (an open event stream asks). */
  isPaired(id: string): boolean {
    return this.deps.repository.devices().some((d) => d.id === id);
  }

  devices(): Array<Omit<DeviceRow, 'tokenHash'>> {
    return this.deps.repository.devices().map(({ tokenHash: _hash, ...shown }) => shown);
  }

  /** Revokes device `id`: its token is refused from now on, its open streams close. */
  revoke(id: string): void {
    if (!this.deps.repository.removeDevice(id))
      throw new AppError('not_found', `There is no paired device ${id}; \`devices\` lists them.`);
    this.deps.onRevoked?.(id);
  }
}
