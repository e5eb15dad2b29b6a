import type { FolderUsage } from '@contract';
import { useLiveStore } from '../state/live-store';
import { diskTone } from './disk-tone';
import { formatBytes } from '@contract';

function Usage({ label, what, usage }: { label: string; what: string; usage: FolderUsage }) {
  const total = usage.filesystemTotalBytes;
  const free = usage.filesystemFreeBytes;
  const used = total > 0 ? (total - free) / total : 0;
  const { tone, words } = diskTone(free, total);
  const freeText = `${formatBytes(free)} free of ${formatBytes(total)}`;
  return (
    <div className="usage" data-tone={tone}>
      <p>
        <strong>{label}</strong>:{' '}
        <span title={`Space ${what} take in ${usage.path}`}>{formatBytes(usage.usedBytes)}</span> in{' '}
        <code>{usage.path}</code>
      </p>
      <div
        className={`disk-bar disk-bar-${tone}`}
        role="meter"
        aria-label={`${label} disk used`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(used * 100)}
        aria-valuetext={`${Math.round(used * 100)} % used; ${freeText}`}
        title={`The disk that holds ${usage.path}: ${Math.round(used * 100)} % used, ${freeText}`}
      >
        <span style={{ width: `${Math.min(100, Math.max(0, used * 100))}%` }} />
      </div>
      <p className="muted">
        <span title={`Free space left on the disk that holds ${usage.path}`}>{freeText}</span> ·{' '}
        <span className={`disk-words disk-words-${tone}`}>{words}</span>
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
          <Usage label="Data" what="MediaNest’s databases and files" usage={disk.data} />
          <Usage label="Backups" what="the backups" usage={disk.backups} />
        </>
      ) : (
        <p className="muted">Disk usage is not available yet.</p>
      )}
    </section>
  );
}
