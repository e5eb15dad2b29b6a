import { useState } from 'react';
import { SUPPORT_BUNDLE_PATH, messageOf } from '@contract';
import { connectApi } from '../../api';
import { apiUrl } from '../../target';
import { useAppStore } from '../../state/app-store';

/** Versions, and the support bundle (logs and settings without secrets) to send when asking for help. */
export function AboutPanel() {
  const connection = useAppStore((s) => s.connection);
  const [download, setDownload] = useState<{ busy: boolean; error?: string }>({ busy: false });

  const fetchBundle = async () => {
    setDownload({ busy: true });
    try {
      const { token } = await connectApi();
      const response = await fetch(apiUrl(SUPPORT_BUNDLE_PATH), {
        credentials: 'same-origin',
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      if (!response.ok) throw new Error(`The server answered ${response.status}.`);
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = `medianest-support-${new Date().toISOString().slice(0, 10)}.tar.gz`;
      link.click();
      URL.revokeObjectURL(url);
      setDownload({ busy: false });
    } catch (error) {
      setDownload({ busy: false, error: messageOf(error) });
    }
  };

  return (
    <section className="card" aria-labelledby="about-title">
      <h2 id="about-title">About</h2>
      <dl className="review">
        <div className="review-row">
          <dt>App version</dt>
          <dd>
            {connection.state === 'connected'
              ? connection.health.version
              : 'unknown (server not reachable)'}
          </dd>
        </div>
        <div className="review-row">
          <dt>Server up for</dt>
          <dd>
            {connection.state === 'connected'
              ? `${Math.round(connection.health.uptimeSeconds / 60)} min`
              : '—'}
          </dd>
        </div>
      </dl>
      <p>
        The support bundle holds recent logs, the settings and the doctor report, with every secret
        removed. Send it when you ask for help.
      </p>
      <button type="button" disabled={download.busy} onClick={() => void fetchBundle()}>
        {download.busy ? 'Preparing…' : 'Download the support bundle'}
      </button>
      {download.error && (
        <p className="error" role="alert">
          The bundle could not be downloaded: {download.error}
        </p>
      )}
    </section>
  );
}
