import { backupDownloadPath } from '@contract/backup-routes.js';
import { connectApi } from '../../api';
import { apiUrl } from '../../target';

/**
 * Saves a backup's archive where the browser saves downloads. Signed in with the session cookie,
 * a plain link: the browser streams the file to disk itself, whatever its size. With the desktop
 * shell's token (a header, which a link cannot carry) it is fetched first, then saved.
 */
export async function downloadBackup(backup: { id: string; file: string }): Promise<void> {
  const { token } = await connectApi();
  const path = apiUrl(backupDownloadPath(backup.id));
  const link = document.createElement('a');
  link.download = backup.file;
  let objectUrl: string | undefined;
  if (token) {
    const response = await fetch(path, {
      credentials: 'same-origin',
      headers: { authorization: `Bearer ${token}` },
    });
    if (!response.ok) throw new Error(`The server answered ${response.status}.`);
    objectUrl = URL.createObjectURL(await response.blob());
    link.href = objectUrl;
  } else {
    link.href = path;
  }
  document.body.append(link);
  link.click();
  link.remove();
  if (objectUrl) {
    const url = objectUrl;
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
