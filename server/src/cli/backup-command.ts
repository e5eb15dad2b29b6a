import type { Backup } from '../contract/backup-routes.js';
import { formatBytes } from '../contract/format-bytes.js';
import { createBackupServices, recoveryKeyStore } from '../app/backup.js';
import type { BackupServices } from '../core/backup/backup-services.js';
import { machineTimeZone, readSchedule } from '../core/backup/backup-schedule.js';
import { pruneScheduled } from '../core/backup/backup-scheduler.js';
import type { BackupProgress } from '../core/backup/backup-service.js';
import type { RestoreSource } from '../core/backup/restore-service.js';
import type { HomePaths } from '../infra/fs/home.js';
import { openDatabase } from '../infra/store/database.js';
import { SqliteSettings } from '../infra/store/sqlite-settings.js';
import { UsageError, type ParsedCommand } from './args.js';
import { EXIT, type CliIo } from './io.js';
import { withJobLock } from './job-lock.js';
import { KEY_FILE_FLAG, recoveryKeyText, refuseKeyOnCommandLine } from './recovery-key-input.js';
import { textTable } from './text-table.js';

/** `backups` as a table, newest first. */
export function formatBackups(rows: Backup[]): string {
  if (rows.length === 0) return 'No backups yet: `medianest-appliance backup` takes one.';
  const header = ['ID', 'CREATED', 'KIND', 'STATE', 'SIZE', 'FILE'];
  const table = rows.map((r) => [
    r.id.slice(0, 8),
    r.createdAt.replace('T', ' ').slice(0, 19),
    r.kind,
    r.state + (r.error ? ` (${r.error.message})` : ''),
    formatBytes(r.size),
    r.file,
  ]);
  return textTable(header, table);
}

/**
 * Progress on stderr (stdout stays the result, JSON or text): one line per step, a step on entries
 * (`Writing files/uploads/a.jpg`) shown once per top-level folder, not once per file.
 */
function progressPrinter(io: CliIo): BackupProgress {
  let last = '';
  return (step, percent) => {
    const shown = step.replace(/^((?:Writing|Verifying) [^/]+\/[^/]+)\/.*$/, '$1');
    if (shown === last) return;
    last = shown;
    io.stderr(`[${String(Math.round(percent ?? 0)).padStart(3)}%] ${shown}`);
  };
}

/** A catalogue id (or its first 8 characters, or the file name). */
function resolveId(services: BackupServices, given: string): string {
  const rows = services.backups.list();
  const match =
    rows.find((r) => r.id === given || r.file === given) ??
    rows.filter((r) => r.id.startsWith(given));
  if (Array.isArray(match)) {
    if (match.length === 1 && match[0] && given.length >= 4) return match[0].id;
    return given;
  }
  return match.id;
}

/** Verbs that change backups or data hold the job lock (job-lock.ts); listing and verify read. */
async function withServices<T>(
  paths: HomePaths,
  io: CliIo,
  cmd: ParsedCommand,
  work: (s: BackupServices, settings: SqliteSettings) => Promise<T>,
): Promise<T> {
  return withJobLock(paths, cmd, io, async () => {
    const db = openDatabase(paths.db);
    try {
      const settings = new SqliteSettings(db);
      return await work(createBackupServices(paths, io.env, db, settings), settings);
    } finally {
      db.close();
    }
  });
}

/**
 * `backups prune`: the retention the scheduler applies after a scheduled backup, run now (crash
 * leftovers are cleaned first, by withJobLock). Removes only scheduled (daily/weekly) good backups
 * beyond what the schedule's retention keeps.
 */
async function prune(services: BackupServices, settings: SqliteSettings, io: CliIo) {
  return pruneScheduled(
    {
      schedule: () => readSchedule(settings),
      timeZone: machineTimeZone,
      list: () => services.backups.list(),
      remove: (record) => services.backups.remove(record),
      now: () => new Date(),
    },
    (record) => io.stderr(`Removing ${record.file}`),
  );
}

/** Restoring an archive FILE (not a catalogue ID): a path, or a name ending in .mnbackup. */
function isArchiveFile(given: string): boolean {
  return given.includes('/') || given.endsWith('.mnbackup');
}

/**
 * The key text the user hands in for `restore FILE`, read before the job lock is taken so that
 * nothing waits while they type; undefined when this home's own key applies.
 */
async function handedInKey(
  cmd: ParsedCommand,
  paths: HomePaths,
  io: CliIo,
  stdin: NodeJS.ReadStream,
): Promise<string | undefined> {
  refuseKeyOnCommandLine(cmd);
  const [given] = cmd.positionals;
  if (!given || !isArchiveFile(given)) {
    if (cmd.values[KEY_FILE_FLAG] !== undefined && given) {
      throw new UsageError(
        `--${KEY_FILE_FLAG} is for restoring an archive FILE; a backup of this home (${given}) opens with its own key`,
      );
    }
    return undefined;
  }
  const own = await recoveryKeyStore(paths).read();
  return recoveryKeyText(cmd, own !== undefined, stdin, (text) => io.stderr(text));
}

/**
 * `backup`, `backups [prune]`, `verify ID [--restore-test]`,
 * `restore ID|FILE [--recovery-key-file FILE] [--yes]`.
 */
export async function backupCommand(
  cmd: ParsedCommand,
  paths: HomePaths,
  io: CliIo,
  stdin: NodeJS.ReadStream = process.stdin,
): Promise<number> {
  // Before the lock and any recovery: a refused command changes nothing.
  const keyText = cmd.verb === 'restore' ? await handedInKey(cmd, paths, io, stdin) : undefined;
  const json = cmd.values.json === true;
  const out = (value: unknown, text: string): void =>
    io.stdout(json ? JSON.stringify(value, null, 2) : text);
  return withServices(paths, io, cmd, async (services, settings) => {
    switch (cmd.verb) {
      case 'backups': {
        const [sub] = cmd.positionals;
        if (sub === 'prune') {
          const removed = await prune(services, settings, io);
          out(
            removed.map((r) => r.id),
            `${removed.length} backup(s) beyond the retention removed.`,
          );
          return EXIT.ok;
        }
        if (sub !== undefined) throw new UsageError(`backups: unknown action ${sub} (prune)`);
        const rows = services.backups.list();
        out(rows, formatBackups(rows));
        return EXIT.ok;
      }
      case 'backup': {
        const created = (await services.keys.ensure()).created;
        if (created) {
          io.stderr(
            `A recovery key was created for this home. Save it somewhere safe:\n\n  ${created}\n`,
          );
        }
        const backup = await services.backups.create('manual', progressPrinter(io));
        out(
          backup,
          `Backup ${backup.id.slice(0, 8)} verified: ${backup.file} (${formatBytes(backup.size)}).`,
        );
        return EXIT.ok;
      }
      case 'verify': {
        const [id] = cmd.positionals;
        if (!id) throw new UsageError('verify needs the ID of a backup (see `backups`)');
        const restoreTest = cmd.values['restore-test'] === true;
        const backup = await services.backups.verify(resolveId(services, id), progressPrinter(io), {
          restoreTest,
        });
        out(
          backup,
          restoreTest
            ? `Backup ${backup.id.slice(0, 8)} is verified restorable: restored into scratch containers, every row and key count matches.`
            : `Backup ${backup.id.slice(0, 8)} verified: every checksum and the database dump are intact.`,
        );
        return EXIT.ok;
      }
      case 'restore': {
        const [given] = cmd.positionals;
        if (!given)
          throw new UsageError('restore needs the ID of a backup or the path of an archive');
        const source: RestoreSource = isArchiveFile(given)
          ? {
              file: given,
              key:
                keyText !== undefined
                  ? services.keys.parse(keyText)
                  : ((await services.keys.read()) ??
                    (() => {
                      throw new UsageError('restore FILE on a new machine needs the recovery key');
                    })()),
            }
          : { id: resolveId(services, given) };
        if ('file' in source && !services.installed()) {
          // Opens and authenticates the manifest (wrong key, damage, newer format) before installing.
          await services.restore.preflight(source);
          if (!cmd.values.yes) {
            throw new UsageError(
              'restore installs a stack from the archive here: add --yes to go ahead',
            );
          }
          io.stderr("No stack here yet: installing one from the archive's settings and secrets.");
          await services.installFrom(source.file, source.key);
        }
        const preflight = await services.restore.preflight(source);
        if (!preflight.restorable) {
          out({ error: { code: 'restore_failed', message: preflight.refusal } }, '');
          io.stderr(`medianest-appliance: refused: ${preflight.refusal ?? ''}`);
          return EXIT.failed;
        }
        if (!cmd.values.yes) {
          throw new UsageError(
            'restore replaces the current data (after a safety snapshot): add --yes to go ahead',
          );
        }
        const result = await services.restore.restore(source, progressPrinter(io));
        out(
          result,
          `Restored from ${result.restoredFrom}. The state before it is kept as backup ${result.safetyBackup?.file ?? '(none)'}.`,
        );
        return EXIT.ok;
      }
      default:
        return EXIT.usage;
    }
  });
}
