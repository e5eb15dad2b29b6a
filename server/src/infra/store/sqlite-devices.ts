import type { DeviceRow, PairingCodeRow, PairingRepository } from '../../core/auth/pairing.js';
import type { Db } from './database.js';

interface DeviceRecord {
  id: string;
  name: string;
  token_hash: string;
  paired_at: number;
  last_seen_at: number | null;
  last_address: string | null;
}

const device = (row: DeviceRecord): DeviceRow => ({
  id: row.id,
  name: row.name,
  tokenHash: row.token_hash,
  pairedAt: row.paired_at,
  ...(row.last_seen_at !== null ? { lastSeenAt: row.last_seen_at } : {}),
  ...(row.last_address !== null ? { lastAddress: row.last_address } : {}),
});

/** Pairing codes and paired devices in appliance.db: shared by `serve` and the CLI's `pair`. */
export class SqlitePairing implements PairingRepository {
  constructor(private readonly db: Db) {}

  addCode(row: PairingCodeRow, keep: number): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO pairing_codes (code, created_at, expires_at) VALUES (?, ?, ?)')
        .run(row.code, row.createdAt, row.expiresAt);
      this.db
        .prepare(
          'DELETE FROM pairing_codes WHERE code NOT IN (SELECT code FROM pairing_codes ORDER BY created_at DESC, rowid DESC LIMIT ?)',
        )
        .run(keep);
    })();
  }

  liveCodes(now: number): PairingCodeRow[] {
    this.db.prepare('DELETE FROM pairing_codes WHERE expires_at <= ?').run(now);
    const rows = this.db
      .prepare('SELECT code, created_at, expires_at FROM pairing_codes')
      .all() as Array<{ code: string; created_at: number; expires_at: number }>;
    return rows.map((r) => ({ code: r.code, createdAt: r.created_at, expiresAt: r.expires_at }));
  }

  takeCode(code: string): boolean {
    return this.db.prepare('DELETE FROM pairing_codes WHERE code = ?').run(code).changes === 1;
  }

  addDevice(row: DeviceRow): void {
    this.db
      .prepare(
        'INSERT INTO devices (id, name, token_hash, paired_at, last_seen_at, last_address) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        row.id,
        row.name,
        row.tokenHash,
        row.pairedAt,
        row.lastSeenAt ?? null,
        row.lastAddress ?? null,
      );
  }

  devices(): DeviceRow[] {
    return (
      this.db.prepare('SELECT * FROM devices ORDER BY paired_at, id').all() as DeviceRecord[]
    ).map(device);
  }

  deviceByTokenHash(tokenHash: string): DeviceRow | undefined {
    const row = this.db.prepare('SELECT * FROM devices WHERE token_hash = ?').get(tokenHash) as
      DeviceRecord | undefined;
    return row ? device(row) : undefined;
  }

  seen(id: string, at: number, address: string): void {
    this.db
      .prepare('UPDATE devices SET last_seen_at = ?, last_address = ? WHERE id = ?')
      .run(at, address, id);
  }

  removeDevice(id: string): boolean {
    return this.db.prepare('DELETE FROM devices WHERE id = ?').run(id).changes === 1;
  }
}
