import type { BackupKind, BackupState } from '../../contract/backup-routes.js';
import type {
  BackupCatalogue,
  BackupRecord,
  RestoreJournal,
  RestoreJournalEntry,
} from '../../core/backup/ports.js';
import type { Db } from './database.js';

interface Row {
  id: string;
  file: string;
  kind: BackupKind;
  state: BackupState;
  size: number;
  created_at: string;
  verified_at: string | null;
  error_code: string | null;
  error_message: string | null;
}

const toRecord = (r: Row): BackupRecord => ({
  id: r.id,
  file: r.file,
  kind: r.kind,
  state: r.state,
  size: r.size,
  createdAt: r.created_at,
  ...(r.verified_at ? { verifiedAt: r.verified_at } : {}),
  ...(r.error_code ? { error: { code: r.error_code, message: r.error_message ?? '' } } : {}),
});

/** The backup catalogue in appliance.db. */
export class SqliteBackups implements BackupCatalogue {
  constructor(private readonly db: Db) {}

  insert(record: { id: string; file: string; kind: BackupKind; createdAt: string }): void {
    this.db
      .prepare(
        "INSERT INTO backups (id, file, kind, state, created_at) VALUES (?, ?, ?, 'running', ?)",
      )
      .run(record.id, record.file, record.kind, record.createdAt);
  }

  update(
    id: string,
    patch: Partial<Pick<BackupRecord, 'state' | 'size' | 'verifiedAt' | 'error'>>,
  ): void {
    const current = this.get(id);
    if (!current) return;
    const next = { ...current, ...patch };
    this.db
      .prepare(
        `UPDATE backups SET state = ?, size = ?, verified_at = ?, error_code = ?, error_message = ?
         WHERE id = ?`,
      )
      .run(
        next.state,
        next.size,
        next.verifiedAt ?? null,
        next.state === 'failed' || next.state === 'missing' ? (next.error?.code ?? null) : null,
        next.state === 'failed' || next.state === 'missing' ? (next.error?.message ?? null) : null,
        id,
      );
  }

  get(id: string): BackupRecord | undefined {
    const row = this.db.prepare('SELECT * FROM backups WHERE id = ?').get(id) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  list(): BackupRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM backups ORDER BY created_at DESC, id DESC')
      .all() as Row[];
    return rows.map(toRecord);
  }

  remove(id: string): void {
    this.db.prepare('DELETE FROM backups WHERE id = ?').run(id);
  }
}

/** The restore journal: one row while a restore is under way. */
export class SqliteRestoreJournal implements RestoreJournal {
  constructor(private readonly db: Db) {}

  read(): RestoreJournalEntry | undefined {
    const row = this.db
      .prepare('SELECT step, source, started_at FROM restore_journal WHERE id = 1')
      .get() as
      { step: RestoreJournalEntry['step']; source: string; started_at: string } | undefined;
    return row ? { step: row.step, source: row.source, startedAt: row.started_at } : undefined;
  }

  write(entry: RestoreJournalEntry): void {
    this.db
      .prepare(
        `INSERT INTO restore_journal (id, step, source, started_at) VALUES (1, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET step = excluded.step`,
      )
      .run(entry.step, entry.source, entry.startedAt);
  }

  clear(): void {
    this.db.prepare('DELETE FROM restore_journal').run();
  }
}
