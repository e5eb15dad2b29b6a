import type {
  AdminPasswordRepository,
  SessionKind,
  SessionRecord,
  SessionRepository,
} from '../../core/auth/auth-repository.js';
import type { Db } from './database.js';

interface SessionRow {
  token_hash: string;
  kind: SessionKind;
  created_at: number;
  expires_at: number;
}

export class SqliteSessions implements SessionRepository {
  constructor(private readonly db: Db) {}

  insert(session: SessionRecord): void {
    this.db
      .prepare(
        'INSERT INTO sessions (token_hash, kind, created_at, expires_at) VALUES (?, ?, ?, ?)',
      )
      .run(session.tokenHash, session.kind, session.createdAt, session.expiresAt);
  }

  find(tokenHash: string): SessionRecord | undefined {
    const row = this.db
      .prepare('SELECT token_hash, kind, created_at, expires_at FROM sessions WHERE token_hash = ?')
      .get(tokenHash) as SessionRow | undefined;
    return row
      ? {
          tokenHash: row.token_hash,
          kind: row.kind,
          createdAt: row.created_at,
          expiresAt: row.expires_at,
        }
      : undefined;
  }

  extend(tokenHash: string, expiresAt: number): void {
    this.db
      .prepare('UPDATE sessions SET expires_at = ? WHERE token_hash = ?')
      .run(expiresAt, tokenHash);
  }

  delete(tokenHash: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
  }

  deleteAll(): void {
    this.db.prepare('DELETE FROM sessions').run();
  }

  prune(now: number, keep: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now);
      this.db
        .prepare(
          `DELETE FROM sessions WHERE token_hash NOT IN
             (SELECT token_hash FROM sessions ORDER BY created_at DESC LIMIT ?)`,
        )
        .run(keep);
    })();
  }
}

export class SqliteAdminPassword implements AdminPasswordRepository {
  constructor(private readonly db: Db) {}

  get(): string | undefined {
    const row = this.db.prepare('SELECT hash FROM admin_password WHERE id = 1').get() as
      { hash: string } | undefined;
    return row?.hash;
  }

  set(hash: string): void {
    this.db
      .prepare(
        `INSERT INTO admin_password (id, hash, updated_at) VALUES (1, ?, ?)
         ON CONFLICT(id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at`,
      )
      .run(hash, new Date().toISOString());
  }
}
