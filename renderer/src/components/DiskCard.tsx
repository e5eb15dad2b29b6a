import type { FolderUsage } from '../../../server/src/contract/index.js';
import { useLiveStore } from '../state/live-store';
import { formatBytes } from './format';

function Usage({ label, usage }: { label: string; usage: FolderUsage }) {
  const used = usage.filesystemTotalBytes - usage.filesystemFreeBytes;
  const share = usage.filesystemTotalBytes > 0 ? used / usage.filesystemTotalBytes : 0;
  return (
    <div className="usage">
      <p>
        <strong>{label}</strong>: {formatBytes(usage.usedBytes)} in <code>{usage.path}</code>
      </p>
      <meter
        min={0}
        max={1}
        low={0.8}
        high={0.9}
        optimum={0}
        value={share}
        aria-label={`${label} disk used`}
      />
      <p className="muted">
        {formatBytes(usage.filesystemFreeBytes)} free of {formatBytes(usage.filesystemTotalBytes)}
      </p>
    </div>
  );
}

/** Space used by the data and the backups, and what is left on their disks. */
export function DiskCard() {
  const disk = useLiveStore((s) => s.disk);
  return (
    <section className="card" aria-labelledby="disk-title">
      <h2 id="disk-title">Disk</h2>
      {disk ? (
        <>
          <Usage label="Data" usage={disk.data} />
          <Usage label="Backups" usage={disk.backups} />
        </>
      ) : (
        <p className="muted">Disk usage is not available yet.</p>
      )}
    </section>
  );
}
