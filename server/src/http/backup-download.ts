/**
 * A backup's archive as a download, so a user can keep a copy on another device. Streamed from
 * disk (archives run to gigabytes); only catalogued archives, by id, from the backups folder: the
 * file name comes from the catalogue, which the app itself wrote, never from the request.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Router, type RequestHandler } from 'express';
import { BACKUP_DOWNLOAD_PATH } from '../contract/backup-routes.js';
import { AppError } from '../core/app-error.js';
import type { BackupService } from '../core/backup/backup-service.js';

export function backupDownloadRouter(deps: {
  backups: () => Pick<BackupService, 'find' | 'pathOf'>;
  requireAuth: RequestHandler;
}): Router {
  const router = Router();
  router.get(BACKUP_DOWNLOAD_PATH, deps.requireAuth, async (req, res) => {
    const id = String(req.params.id ?? '');
    const backups = deps.backups();
    const record = backups.find(id);
    if (record.state === 'failed' || record.state === 'missing' || record.state === 'running') {
      throw new AppError('conflict', `The backup ${record.file} has no archive to download.`);
    }
    const path = backups.pathOf(record);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile() || basename(record.file) !== record.file) {
      throw new AppError('not_found', `${record.file} is no longer in the backups folder.`);
    }
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(info.size),
      'Content-Disposition': `attachment; filename="${record.file}"`,
      'Cache-Control': 'no-store',
    });
    // A client that goes away mid-way ends the read; nothing else is left to answer.
    await pipeline(createReadStream(path), res).catch(() => undefined);
  });
  return router;
}
