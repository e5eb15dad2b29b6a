import {
  BACKUP_UPLOAD_PATH,
  BackupUploadSchema,
  type BackupUpload,
} from '@contract/backup-routes.js';
import { connectApi } from '../../api';
import { apiUrl } from '../../target';

/** Bytes sent so far of the file's total. */
export type UploadProgress = (sent: number, total: number) => void;

/**
 * Sends a backup file picked in the browser to the server, streamed from disk by the browser
 * (XMLHttpRequest: fetch cannot report how much of a request body has gone), with the desktop
 * shell's token when there is one, else the session cookie. Answers the upload's id for a restore.
 */
export async function uploadBackup(file: File, onProgress: UploadProgress): Promise<BackupUpload> {
  const { token } = await connectApi();
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', apiUrl(BACKUP_UPLOAD_PATH));
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (event) => onProgress(event.loaded, event.total || file.size);
    xhr.onload = () => {
      const body = xhr.response as { error?: { message?: string } } | null;
      if (xhr.status === 201) {
        const parsed = BackupUploadSchema.safeParse(body);
        if (parsed.success) resolve(parsed.data);
        else reject(new Error('The server answered something unexpected.'));
        return;
      }
      reject(new Error(body?.error?.message ?? `The server answered ${xhr.status}.`));
    };
    xhr.onerror = () =>
      reject(new Error('The connection to MediaNest Appliance was lost. Try again.'));
    xhr.onabort = () => reject(new Error('The upload was stopped.'));
    xhr.send(file);
  });
}
