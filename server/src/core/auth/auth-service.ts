import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ADMIN_PASSWORD_MIN_LENGTH } from '../../contract/auth.js';
import { AppError } from '../app-error.js';
import type { AdminPasswordRepository, SessionKind, SessionRepository } from './auth-repository.js';
import {
  DEFAULT_SCRYPT,
  hashPassword,
  verifyPassword,
  type ScryptParams,
} from './password-hash.js';
import { LOGIN_RATE_LIMIT, RateLimiter } from './rate-limiter.js';

/** Sessions last 7 days from their last use. */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60_000;
/** A login link works once, within 10 minutes. */
export const LOGIN_CODE_TTL_MS = 10 * 60_000;
/** A used session's expiry is pushed back at most this often (one database write, one cookie). */
const SESSION_RENEW_EVERY_MS = 60 * 60_000;
const MAX_PENDING_CODES = 20;
const MAX_SESSIONS = 100;

export interface AuthServiceDeps {
  sessions: SessionRepository;
  adminPassword: AdminPasswordRepository;
  now: () => number;
  scrypt?: ScryptParams;
  limiter?: RateLimiter;
}

/** A session just opened: the cookie value goes to the browser once and is kept only as a hash. */
export interface NewSession {
  value: string;
  expiresAt: number;
}

export type SessionCheck =
  { valid: false } | { valid: true; kind: SessionKind; expiresAt: number; renewed: boolean };

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();
const newSecret = (): string => randomBytes(32).toString('base64url');

/**
 * Browser sign-in: one-time login codes, the admin password and server-side sessions.
 * The per-launch token is checked by the HTTP layer; this service never sees it.
 */
export class AuthService {
  private readonly codes: Array<{ code: string; hash: Buffer; expiresAt: number }> = [];
  private readonly limiter: RateLimiter;
  private verifying: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: AuthServiceDeps) {
    this.limiter = deps.limiter ?? new RateLimiter({ ...LOGIN_RATE_LIMIT, now: deps.now });
    deps.sessions.prune(deps.now(), MAX_SESSIONS);
  }

  /** A 256-bit code for a login link, valid once within 10 minutes. */
  issueLoginCode(): { code: string; expiresAt: number } {
    this.dropExpiredCodes();
    const code = newSecret();
    const expiresAt = this.deps.now() + LOGIN_CODE_TTL_MS;
    this.codes.push({ code, hash: sha256(code), expiresAt });
    if (this.codes.length > MAX_PENDING_CODES) this.codes.shift();
    return { code, expiresAt };
  }

  /** Exchanges a login code for a session; undefined when it is unknown, used or expired. */
  redeemLoginCode(code: string): NewSession | undefined {
    this.dropExpiredCodes();
    const given = sha256(code);
    let found = -1;
    // Every pending code is compared, in constant time, whichever matches.
    this.codes.forEach((entry, index) => {
      if (timingSafeEqual(entry.hash, given)) found = index;
    });
    if (found === -1) return undefined;
    this.codes.splice(found, 1);
    return this.openSession('login-link');
  }

  hasAdminPassword(): boolean {
    return this.deps.adminPassword.get() !== undefined;
  }

  /** Sets (or replaces) the admin password; replacing it signs every browser out. */
  async setAdminPassword(password: string): Promise<void> {
    if (password.length < ADMIN_PASSWORD_MIN_LENGTH) {
      throw new AppError(
        'validation_failed',
        `The admin password needs at least ${ADMIN_PASSWORD_MIN_LENGTH} characters.`,
        { fields: { password: `at least ${ADMIN_PASSWORD_MIN_LENGTH} characters` } },
      );
    }
    const hadOne = this.hasAdminPassword();
    this.deps.adminPassword.set(await hashPassword(password, this.deps.scrypt ?? DEFAULT_SCRYPT));
    if (hadOne) this.deps.sessions.deleteAll();
  }

  /** Makes `password` the admin password unless it already is; says which happened. */
  async ensureAdminPassword(password: string): Promise<'unchanged' | 'set' | 'changed'> {
    const stored = this.deps.adminPassword.get();
    if (stored !== undefined && (await this.verify(password, stored))) return 'unchanged';
    await this.setAdminPassword(password);
    return stored === undefined ? 'set' : 'changed';
  }

  /**
   * Admin password -> session. Every attempt counts against the client's address before the
   * (slow) check, so parallel guesses cannot slip past the limit; a right password clears it.
   */
  async loginWithPassword(password: string, clientKey: string): Promise<NewSession> {
    const decision = this.limiter.check(clientKey);
    if (!decision.allowed) {
      const minutes = Math.ceil(decision.retryAfterMs / 60_000);
      throw new AppError(
        'rate_limited',
        `Too many failed sign-ins from this address. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
        { retryAfterSeconds: Math.ceil(decision.retryAfterMs / 1000) },
      );
    }
    const stored = this.deps.adminPassword.get();
    if (stored === undefined) {
      throw new AppError(
        'forbidden',
        'Password sign-in is off: no admin password is set. Open the login link that `serve` printed.',
      );
    }
    this.limiter.fail(clientKey);
    if (!(await this.verify(password, stored))) {
      throw new AppError('unauthorized', 'That is not the admin password.');
    }
    this.limiter.reset(clientKey);
    return this.openSession('password');
  }

  /** Checks a session cookie's value; a session in use is renewed (sliding expiry). */
  checkSession(value: string): SessionCheck {
    const hash = sha256(value).toString('hex');
    const session = this.deps.sessions.find(hash);
    const now = this.deps.now();
    if (!session) return { valid: false };
    if (session.expiresAt <= now) {
      this.deps.sessions.delete(hash);
      return { valid: false };
    }
    if (now + SESSION_TTL_MS - session.expiresAt < SESSION_RENEW_EVERY_MS) {
      return { valid: true, kind: session.kind, expiresAt: session.expiresAt, renewed: false };
    }
    const expiresAt = now + SESSION_TTL_MS;
    this.deps.sessions.extend(hash, expiresAt);
    return { valid: true, kind: session.kind, expiresAt, renewed: true };
  }

  endSession(value: string): void {
    this.deps.sessions.delete(sha256(value).toString('hex'));
  }

  /** Values the log redactor must mask: the login codes not yet used. */
  secrets(): string[] {
    return this.codes.map((c) => c.code);
  }

  private openSession(kind: SessionKind): NewSession {
    const value = newSecret();
    const now = this.deps.now();
    const expiresAt = now + SESSION_TTL_MS;
    this.deps.sessions.insert({
      tokenHash: sha256(value).toString('hex'),
      kind,
      createdAt: now,
      expiresAt,
    });
    this.deps.sessions.prune(now, MAX_SESSIONS);
    return { value, expiresAt };
  }

  private dropExpiredCodes(): void {
    const now = this.deps.now();
    for (let i = this.codes.length - 1; i >= 0; i--) {
      if ((this.codes[i]?.expiresAt ?? 0) <= now) this.codes.splice(i, 1);
    }
  }

  /** One scrypt at a time: each takes 128 MiB, so parallel attempts must not multiply that. */
  private verify(password: string, stored: string): Promise<boolean> {
    const run = this.verifying.then(() => verifyPassword(password, stored));
    this.verifying = run.catch(() => undefined);
    return run;
  }
}
