/**
 * Where an unfinished update stopped, in `<home>/update-journal.json`: written (atomically) before
 * each step, cleared at the end. The next verb that touches the stack (recover-first) reads it and
 * finishes the update or rolls it back, as restore's journal row does for a restore. A file rather
 * than a row: it must be readable by whatever runs next, before anything else opens the stack.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFile, type FileSystem } from '../file-system.js';

const ImagesSchema = z.record(z.string().max(100), z.string().max(500));

export const UpdateJournalEntrySchema = z.object({
  id: z.string().max(100),
  /**
   * `stopping`: the app is being stopped and snapshotted, the images are the old ones;
   * `applying`: the new images are rendered (migrations may have run);
   * `rolling-back`: putting the old images (and the snapshot) back;
   * `committing`: the new version passed its health gate, only the record remains.
   */
  step: z.enum(['stopping', 'applying', 'rolling-back', 'committing']),
  from: ImagesSchema,
  to: ImagesSchema,
  /** How the user named the target (a tag or a reference), for the history. */
  target: z.string().max(500),
  startedAt: z.string().max(40),
  snapshotId: z.string().max(100).optional(),
  /** Whether the database changes on the way (new migrations, or a snapshot restored into it). */
  changesDatabase: z.boolean(),
  /** A manual rollback restores the database from this snapshot (taken before the update). */
  restoreFrom: z.string().max(100).optional(),
  reason: z.string().max(4000).optional(),
});
export type UpdateJournalEntry = z.infer<typeof UpdateJournalEntrySchema>;

export interface UpdateJournal {
  read(): Promise<UpdateJournalEntry | undefined>;
  write(entry: UpdateJournalEntry): Promise<void>;
  clear(): Promise<void>;
}

export const UPDATE_JOURNAL_FILE = 'update-journal.json';

/**
 * The journal as a file in the home. A file that does not parse stops the verb with the reason,
 * never ignored: guessing which step it was could undo a committed update.
 */
export function fileUpdateJournal(fs: FileSystem, home: string): UpdateJournal {
  const path = join(home, UPDATE_JOURNAL_FILE);
  return {
    read: () =>
      readJsonFile(
        fs,
        path,
        UpdateJournalEntrySchema,
        () =>
          new Error(
            `${path} is not a readable update journal; check the stack, then move the file aside.`,
          ),
      ),
    write: (entry) =>
      fs.writeFile(path, JSON.stringify(UpdateJournalEntrySchema.parse(entry), null, 2), 0o600),
    clear: () => fs.remove(path),
  };
}
