import { useEffect } from 'react';
import { useAppStore } from '../../state/app-store';
import './dashboard-header.css';

/**
 * The one button a home user looks for: MediaNest itself, at the address others at home use.
 * Read again whenever `version` changes (a finished job may have moved the port or the domain).
 */
export function OpenMediaNest({ version }: { version: string | undefined }) {
  const client = useAppStore((s) => s.client);
  const address = useAppStore((s) => s.address);
  const loadAddress = useAppStore((s) => s.loadAddress);

  useEffect(() => {
    if (client) void loadAddress();
  }, [client, loadAddress, version]);

  if (!address) return null;
  const local = address.others.find((url) => new URL(url).hostname === 'localhost');
  return (
    <div className="open-medianest">
      <a className="button" href={address.url} target="_blank" rel="noreferrer">
        Open MediaNest
      </a>
      <p className="muted">
        Others at home open it at{' '}
        <strong data-field="address" title="Type this in a browser on any device at home">
          {address.url}
        </strong>
        {local && <> (on this computer also {local})</>}
      </p>
    </div>
  );
}
