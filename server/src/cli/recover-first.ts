/**
 * Before a verb that touches the stack or its data (under the job lock): an interrupted restore
 * or backup is settled first, then an interrupted update (finished or rolled back), and the verb
 * says what was done, one line each on stderr.
 */
import { createBackupServices } from '../app/backup.js';
import { createUpdateApplier } from '../app/update-apply.js';
import { recoverInterrupted } from '../core/backup/interrupted-work.js';
import { stackConfigStore } from '../core/settings/stack-settings.js';
import type { HomePaths } from '../infra/fs/home.js';
import { openDatabase } from '../infra/store/database.js';
import { SqliteSettings } from '../infra/store/sqlite-settings.js';
import type { CliIo } from './io.js';

export async function recoverFirst(paths: HomePaths, io: CliIo): Promise<void> {
  const db = openDatabase(paths.db);
  try {
    const settings = new SqliteSettings(db);
    // No stack yet (a first `init`): nothing can have been interrupted.
    if (!stackConfigStore(settings).installed()) return;
    const backups = createBackupServices(paths, io.env, db, settings);
    const updates = createUpdateApplier({
      paths,
      env: io.env,
      settings,
      backups: () => backups,
      onStackProgress: () => undefined,
      onRolledBack: () => undefined,
    });
    const said = await recoverInterrupted(backups, {
      updateFollows: await updates.interrupted(),
    });
    const update = await updates.recover();
    if (update) said.push(update);
    for (const line of said) io.stderr(line);
  } finally {
    db.close();
  }
}
