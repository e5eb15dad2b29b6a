/**
 * `update [SERVICE] --to REF|TAG [--yes]`: applies an update (core/updates/update-apply.ts), the
 * steps shown on stderr; rolled back by itself when it fails (exit 1 with the reason).
 * `update rollback [--yes]`: back to the version before the last successful update.
 * `update history`: the updates applied here, newest first.
 */
import type { StackProgress } from '../contract/stack.js';
import { createBackupServices } from '../app/backup.js';
import { createUpdateApplier } from '../app/update-apply.js';
import { stackConfigStore } from '../core/settings/stack-settings.js';
import type { UpdateRecord } from '../core/updates/update-history.js';
import { settingsUpdateHistory } from '../core/updates/update-history.js';
import { updateImages } from '../core/updates/update-target.js';
import type { HomePaths } from '../infra/fs/home.js';
import { openDatabase } from '../infra/store/database.js';
import { SqliteSettings } from '../infra/store/sqlite-settings.js';
import { UsageError, type ParsedCommand } from './args.js';
import { EXIT, type CliIo } from './io.js';
import { withJobLock } from './job-lock.js';
import { textTable } from './text-table.js';

function stackPrinter(io: CliIo): (event: StackProgress) => void {
  return (event) => {
    if (event.type === 'stack.service-progressed' && event.action !== 'failed') {
      io.stderr(`        ${event.service.padEnd(16)} ${event.action}`);
    }
  };
}

function stepPrinter(io: CliIo): (step: string, percent?: number) => void {
  let last = '';
  return (step, percent) => {
    const shown = step.replace(/((?:Writing|Verifying) [^/]+\/[^/]+)\/.*$/, '$1');
    if (shown === last) return;
    last = shown;
    io.stderr(`[${String(Math.round(percent ?? 0)).padStart(3)}%] ${shown}`);
  };
}

const seconds = (ms: number): string => `${Math.round(ms / 1000)} s`;

export function formatHistory(records: UpdateRecord[]): string {
  if (records.length === 0) return 'No update has been applied here.';
  return textTable(
    ['WHEN', 'KIND', 'FROM', 'TO', 'TOOK', 'RESULT'],
    records.map((r) => [
      r.startedAt,
      r.kind,
      Object.values(r.from)[0] ?? '-',
      Object.values(r.to)[0] ?? '-',
      seconds(r.durationMs),
      r.reason ? `${r.result}: ${r.reason.split('\n')[0] ?? ''}` : r.result,
    ]),
  );
}

export async function updateCommand(
  cmd: ParsedCommand,
  paths: HomePaths,
  io: CliIo,
): Promise<number> {
  const json = cmd.values.json === true;
  const out = (value: unknown, text: string): void =>
    io.stdout(json ? JSON.stringify(value, null, 2) : text);
  const [first, ...rest] = cmd.positionals;
  if (first === 'history') {
    const db = openDatabase(paths.db);
    try {
      const records = settingsUpdateHistory(new SqliteSettings(db)).list();
      out(records, formatHistory(records));
      return EXIT.ok;
    } finally {
      db.close();
    }
  }
  const rollback = first === 'rollback';
  const to = cmd.values.to;
  if (rest.length > 0)
    throw new UsageError(`update takes one SERVICE (got "${cmd.positionals.join(' ')}")`);
  if (!rollback && typeof to !== 'string')
    throw new UsageError(
      'update needs --to REF|TAG (an image reference, or a tag of the current image)',
    );
  if (rollback && to !== undefined) throw new UsageError('update rollback takes no --to');
  if (!cmd.values.yes) {
    throw new UsageError(
      rollback
        ? 'update rollback stops the app and may put back the database from before the last update (what was written since is lost): add --yes to go ahead'
        : 'update stops the app for a safety snapshot, then starts the new version: add --yes to go ahead',
    );
  }
  return withJobLock(paths, cmd, io, async () => {
    const db = openDatabase(paths.db);
    try {
      const settings = new SqliteSettings(db);
      const onStackProgress = stackPrinter(io);
      let backups: ReturnType<typeof createBackupServices> | undefined;
      const applier = createUpdateApplier({
        paths,
        env: io.env,
        settings,
        backups: () =>
          (backups ??= createBackupServices(paths, io.env, db, settings, onStackProgress)),
        onStackProgress,
        // The verb's own error says it (exit 1 with the reason); the server logs it.
        onRolledBack: () => undefined,
      });
      const progress = stepPrinter(io);
      let record: UpdateRecord;
      if (rollback) {
        record = await applier.rollbackLast(progress);
      } else {
        const images =
          stackConfigStore(settings).require(
            'There is no stack to update: run `medianest-appliance init` first.',
          ).images ?? {};
        const wanted = updateImages(images, first ?? 'backend', to as string);
        record = await applier.apply({ images: wanted, target: to as string }, progress);
      }
      out(
        record,
        `${rollback ? 'Rolled back' : 'Updated'} to ${Object.values(record.to).join(', ')} in ${seconds(record.durationMs)}; the safety snapshot is backup ${record.snapshotId ?? '-'}.`,
      );
      return EXIT.ok;
    } finally {
      db.close();
    }
  });
}
