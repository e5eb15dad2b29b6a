import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { messageOf } from '../../contract/errors.js';
import { AppError } from '../app-error.js';
import type { FileSystem } from '../file-system.js';

/**
 * MediaNest's Prisma migrations, read from the backend image's own files and handed to the `migrate`
 * job (compose-templates/files/shims/apply-migrations.sh), which applies them with psql alone: the
 * real backend image has no Prisma CLI (reference R1).
 */

/** Where the migrations folder may be in a backend image, after `<WorkingDir>/prisma/migrations`. */
export const MIGRATION_FOLDERS = ['/app/backend/prisma/migrations', '/app/prisma/migrations'];

/** The label on the `migrate` service naming the image whose migrations it applies. */
export const LABEL_MIGRATIONS_FROM = 'org.medianest.appliance.migrations-from';

/** A tar of the folder is read into memory: these bound what an image may hand us. */
export const MIGRATION_READ_LIMITS = { maxFiles: 2000, maxBytes: 64 * 1024 * 1024 };

export interface Migration {
  /** The folder's name, e.g. `20250704075237_init`: the order and the record's migration_name. */
  name: string;
  sql: Uint8Array;
  /** SHA-256 hex of the script with CRLF line endings made LF: what Prisma records. */
  checksum: string;
  /** SHA-256 hex of the file's bytes as they are (what older Prisma versions recorded). */
  rawChecksum: string;
  /** Whether it can run in one transaction with its record. */
  transactional: boolean;
}

const NAME = /^[0-9A-Za-z][0-9A-Za-z_-]{0,199}$/;

/** Statements PostgreSQL refuses inside a transaction block, or that end one. */
const NOT_IN_TRANSACTION = [
  /\bCONCURRENTLY\b/i,
  /^\s*(BEGIN|COMMIT|ROLLBACK|START\s+TRANSACTION|END)\s*;/im,
  /\b(CREATE|DROP)\s+(DATABASE|TABLESPACE)\b/i,
  /\bALTER\s+SYSTEM\b/i,
  /^\s*VACUUM\b/im,
];

const sha256 = (data: Uint8Array | string): string =>
  createHash('sha256').update(data).digest('hex');

function refuse(source: string, message: string): never {
  throw new AppError('conflict', `The migrations of ${source}: ${message}. Nothing was changed.`, {
    image: source,
  });
}

/**
 * The migrations in a folder's files (paths relative to the folder: `<name>/migration.sql`,
 * `migration_lock.toml`), in the order Prisma applies them (by name). `source` names the image in
 * messages. Refused: a lock file for another database, a folder without its `migration.sql`, a
 * folder name that is not one, SQL with psql meta-commands (a migration is plain SQL).
 */
export function migrationSet(files: ReadonlyMap<string, Uint8Array>, source: string): Migration[] {
  const decoder = new TextDecoder();
  const lock = files.get('migration_lock.toml');
  if (lock) {
    const provider = /^\s*provider\s*=\s*"([^"]*)"/m.exec(decoder.decode(lock))?.[1];
    if (provider !== 'postgresql')
      refuse(source, `migration_lock.toml says provider "${provider ?? '?'}", not "postgresql"`);
  }
  const folders = new Set<string>();
  for (const path of files.keys()) {
    const parts = path.split('/');
    if (parts.length >= 2 && parts[0]) folders.add(parts[0]);
  }
  const migrations = [...folders].sort().map((name): Migration => {
    if (!NAME.test(name)) refuse(source, `"${name.slice(0, 80)}" is not a migration folder name`);
    const sql = files.get(`${name}/migration.sql`);
    if (!sql) refuse(source, `${name} has no migration.sql`);
    const text = decoder.decode(sql);
    if (/^[ \t]*\\/m.test(text))
      refuse(source, `${name}/migration.sql has a line starting with a backslash (a psql command)`);
    return {
      name,
      sql,
      checksum: sha256(text.replace(/\r\n/g, '\n')),
      rawChecksum: sha256(sql),
      transactional: !NOT_IN_TRANSACTION.some((pattern) => pattern.test(text)),
    };
  });
  if (migrations.length === 0) refuse(source, 'the folder holds no migration');
  return migrations;
}

/** What the `migrate` job reads: its manifest (tab-separated, one line per migration) and the scripts. */
export function migrationFiles(
  migrations: readonly Migration[],
): Array<{ name: string; data: Uint8Array | string }> {
  const manifest = migrations
    .map(
      (m, i) =>
        `${i + 1}\t${m.name}\t${m.checksum}\t${m.rawChecksum}\t${m.transactional ? 't' : 'f'}\n`,
    )
    .join('');
  return [
    ...migrations.map((m) => ({ name: `${m.name}.sql`, data: m.sql })),
    { name: 'manifest.tsv', data: manifest },
  ];
}

/** The folders to look in, for an image whose working directory is `workingDir`. */
export function migrationFolderCandidates(workingDir: string | undefined): string[] {
  const own =
    workingDir && workingDir.startsWith('/')
      ? [`${workingDir.replace(/\/+$/, '')}/prisma/migrations`]
      : [];
  return [...new Set([...own, ...MIGRATION_FOLDERS])];
}

export interface MigrationReader {
  imageConfig(image: string): Promise<{ workingDir: string | undefined }>;
  readImageFolder(
    image: string,
    folders: readonly string[],
    limits: typeof MIGRATION_READ_LIMITS,
  ): Promise<{ folder: string; files: Map<string, Uint8Array> } | undefined>;
}

/**
 * Reads the migrations from `image` (without running it) and writes what the `migrate` job reads
 * into `dir`, replacing what an earlier run left there. Returns them, and the folder they came from.
 */
export async function prepareMigrations(
  reader: MigrationReader,
  fs: FileSystem,
  image: string,
  dir: string,
): Promise<{ folder: string; migrations: Migration[] }> {
  const candidates = migrationFolderCandidates((await reader.imageConfig(image)).workingDir);
  let found: Awaited<ReturnType<MigrationReader['readImageFolder']>>;
  try {
    found = await reader.readImageFolder(image, candidates, MIGRATION_READ_LIMITS);
  } catch (error) {
    refuse(image, `could not be read: ${messageOf(error)}`);
  }
  if (!found)
    refuse(
      image,
      `no Prisma migrations folder in the image (looked in ${candidates.join(', ')}); it is not MediaNest's backend image, or one built without its migrations`,
    );
  const migrations = migrationSet(found.files, image);
  await fs.remove(dir);
  await fs.mkdir(dir, 0o755);
  // The manifest last: the job never sees one without its scripts.
  for (const file of migrationFiles(migrations))
    await fs.writeFile(join(dir, file.name), file.data, 0o644);
  return { folder: found.folder, migrations };
}
