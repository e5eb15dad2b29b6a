/**
 * A backup archive sent from the browser, for a restore: the file a user picked on their own
 * computer, streamed to disk (archives run to gigabytes), never through the JSON body parser.
 *
 * The client never names a path: the file gets a random name we choose in the backups folder,
 * created exclusively and readable by this user only, and the answer is that name's id, which the
 * restore routes accept as `upload`. Space is checked before a byte is written; a sender that goes
 * away leaves nothing behind. Uploads never restored are removed after a day, and all at start-up.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Router, type Request, type RequestHandler } from 'express';
import { BACKUP_UPLOAD_PATH, UPLOAD_ID_PATTERN } from '../contract/backup-routes.js';
import { formatBytes } from '../contract/format-bytes.js';
import { AppError } from '../core/app-error.js';

/** Largest archive accepted: far above any home's data, still a bound on a runaway sender. */
export const MAX_UPLOAD_BYTES = 200 * 1024 ** 3;
/** Kept free beside an upload, so receiving one never fills the disk the stack writes to. */
export const UPLOAD_SPACE_MARGIN = 256 * 1024 ** 2;
/** An upload not restored within a day is the leftover of a restore the user gave up. */
export const UPLOAD_MAX_AGE_MS = 24 * 60 * 60 * 1000;

const UPLOAD_FILE = /^\.upload-([0-9a-f]{32})(?:\.mnbackup|\.mnbackup\.partial)$/;
const fileOf = (id: string): string => `.upload-${id}.mnbackup`;
// `.<name>.partial` is also what the backup area's start-up clean-up removes.
const partialOf = (id: string): string => `.upload-${id}.mnbackup.partial`;

export interface BackupUploadsOptions {
  /** The backups folder (configured or default), read at each upload. */
  dir: () => string;
  /** Bytes free on the filesystem of `path`. */
  freeBytes: (path: string) => Promise<number>;
  maxBytes?: number;
  now?: () => number;
}

export class BackupUploads {
  private readonly maxBytes: number;
  private readonly now: () => number;

  constructor(private readonly options: BackupUploadsOptions) {
    this.maxBytes = options.maxBytes ?? MAX_UPLOAD_BYTES;
    this.now = options.now ?? Date.now;
  }

  /** Streams the request body to a new upload; answers its id once every byte is on disk. */
  async receive(req: Request): Promise<{ upload: string; size: number }> {
    const declared = req.headers['content-length'];
    if (declared === undefined || !/^\d+$/.test(declared)) {
      throw new AppError('bad_request', 'Content-Length: the size of the file is needed first.');
    }
    const size = Number(declared);
    if (size === 0) throw new AppError('bad_request', 'The file is empty.');
    if (size > this.maxBytes) {
      throw new AppError(
        'payload_too_large',
        `The file is larger than ${formatBytes(this.maxBytes)}, far more than a backup of this app.`,
      );
    }
    const dir = this.options.dir();
    await this.sweep(UPLOAD_MAX_AGE_MS);
    const free = await this.options.freeBytes(dir);
    if (size + UPLOAD_SPACE_MARGIN > free) {
      throw new AppError(
        'insufficient_space',
        `The backups folder has ${formatBytes(free)} free; this file needs ${formatBytes(size + UPLOAD_SPACE_MARGIN)}. Free some space and try again.`,
      );
    }
    const id = randomBytes(16).toString('hex');
    const partial = join(dir, partialOf(id));
    let received = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        done(received > size ? new Error('more bytes than announced') : undefined, chunk);
      },
    });
    try {
      // `wx`: never an existing file (a link planted there included).
      await pipeline(req, count, createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
      if (received !== size) throw new Error('the upload ended early');
      await rename(partial, join(dir, fileOf(id)));
    } catch (error) {
      await rm(partial, { force: true });
      if (error instanceof AppError) throw error;
      throw new AppError(
        'bad_request',
        'The upload did not finish: nothing was kept. Try again.',
        undefined,
        {
          cause: error,
        },
      );
    }
    return { upload: id, size };
  }

  /** The file of a finished upload; a `validation_failed` naming `upload` when there is none. */
  pathOf(id: string): string {
    const path = UPLOAD_ID_PATTERN.test(id) ? join(this.options.dir(), fileOf(id)) : undefined;
    if (!path || !existsSync(path)) {
      throw new AppError('validation_failed', 'upload: no such uploaded file; pick it again', {
        fields: { upload: 'no such uploaded file; pick it again' },
      });
    }
    return path;
  }

  async remove(id: string): Promise<void> {
    if (UPLOAD_ID_PATTERN.test(id)) await rm(join(this.options.dir(), fileOf(id)), { force: true });
  }

  /** Removes uploads (finished or not) older than `maxAgeMs`; 0 removes all. Returns how many. */
  async sweep(maxAgeMs: number): Promise<number> {
    const dir = this.options.dir();
    const names = await readdir(dir).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names.filter((n) => UPLOAD_FILE.test(n))) {
      const info = await stat(join(dir, name)).catch(() => undefined);
      if (info && this.now() - info.mtimeMs >= maxAgeMs) {
        await rm(join(dir, name), { force: true });
        removed += 1;
      }
    }
    return removed;
  }
}

/** `PUT BACKUP_UPLOAD_PATH` with an `application/octet-stream` body; answers `{ upload, size }`. */
export function backupUploadRouter(deps: {
  uploads: () => BackupUploads;
  requireAuth: RequestHandler;
}): Router {
  const router = Router();
  router.put(BACKUP_UPLOAD_PATH, deps.requireAuth, async (req, res) => {
    if (!req.is('application/octet-stream')) {
      throw new AppError(
        'bad_request',
        'Send the file itself (Content-Type: application/octet-stream).',
      );
    }
    res.status(201).json(await deps.uploads().receive(req));
  });
  return router;
}
