import type { DiskUsage, FolderUsage } from '../../contract/resources-routes.js';

/** The host's file systems, as disk usage reads them (node:fs in infra/fs). */
export interface DiskProbe {
  /** Bytes of regular files under `path`; undefined when it does not exist. */
  folderSize(path: string): Promise<{ bytes: number; partial: boolean } | undefined>;
  /** The file system holding `path` (or its nearest existing parent). */
  filesystem(path: string): Promise<{ freeBytes: number; totalBytes: number }>;
}

export interface DiskUsageDeps {
  probe: DiskProbe;
  dataDir: () => string;
  backupsDir: () => string;
  now: () => Date;
  /** How long a measurement is reused (default 60 s): walking a large data folder is not free. */
  cacheMs?: number;
}

async function folderUsage(probe: DiskProbe, path: string): Promise<FolderUsage> {
  const [size, fs] = await Promise.all([probe.folderSize(path), probe.filesystem(path)]);
  return {
    path,
    exists: size !== undefined,
    usedBytes: size?.bytes ?? 0,
    partial: size?.partial ?? false,
    filesystemFreeBytes: fs.freeBytes,
    filesystemTotalBytes: fs.totalBytes,
  };
}

/**
 * Disk usage of the data and backup folders, measured at most once a minute (concurrent callers
 * share one measurement; a moved folder measures again at once).
 */
export function diskUsageReader(deps: DiskUsageDeps): () => Promise<DiskUsage> {
  let cached: { key: string; at: number; value: Promise<DiskUsage> } | undefined;
  return () => {
    const data = deps.dataDir();
    const backups = deps.backupsDir();
    const key = `${data}\u0000${backups}`;
    const now = deps.now().getTime();
    if (cached && cached.key === key && now - cached.at < (deps.cacheMs ?? 60_000)) {
      return cached.value;
    }
    const value = Promise.all([
      folderUsage(deps.probe, data),
      folderUsage(deps.probe, backups),
    ]).then(([d, b]) => ({ data: d, backups: b, at: new Date(now).toISOString() }));
    // A failed measurement is not kept.
    value.catch(() => (cached = undefined));
    cached = { key, at: now, value };
    return value;
  };
}
