import { LOGS_DOWNLOAD_PATH } from '@contract';
import { apiUrl } from '../target';

/** Fetches the log as text (with the token when there is one) and hands it to the browser as a file. */
export async function downloadLogs(options: {
  services: readonly string[];
  since: string;
  token: string | undefined;
}): Promise<void> {
  const params = new URLSearchParams({ format: 'text' });
  if (options.services.length) params.set('services', options.services.join(','));
  if (options.since) params.set('since', options.since);
  const response = await fetch(`${apiUrl(LOGS_DOWNLOAD_PATH)}?${params.toString()}`, {
    credentials: 'same-origin',
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
  });
  if (!response.ok) throw new Error(`the server answered ${response.status}`);
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `medianest-logs-${new Date().toISOString().replace(/[:.]/g, '-')}.txt`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
