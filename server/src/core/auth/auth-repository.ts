/** How a session was opened. */
export type SessionKind = 'login-link' | 'password';

export interface SessionRecord {
  /** SHA-256 (hex) of the cookie value: the value itself is never stored. */
  tokenHash: string;
  kind: SessionKind;
  createdAt: number;
  expiresAt: number;
}

/** Browser sessions, stored server-side. infra/store implements it in SQLite. */
export interface SessionRepository {
  insert(session: SessionRecord): void;
  find(tokenHash: string): SessionRecord | undefined;
  extend(tokenHash: string, expiresAt: number): void;
  delete(tokenHash: string): void;
  deleteAll(): void;
  /** Removes expired sessions and all but the newest `keep`. */
  prune(now: number, keep: number): void;
}

/** The admin password's scrypt hash (one per appliance). */
export interface AdminPasswordRepository {
  get(): string | undefined;
  set(hash: string): void;
}
