import type { ResourceSample } from '../../contract/resources-routes.js';

/**
 * One reading of the engine's stats, reduced to the fields `docker stats` reads (the engine
 * API's `ContainerStatsResponse`; cgroup v1 and v2 name the page-cache fields differently).
 */
export interface RawStats {
  read: string;
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  memory_stats?: {
    usage?: number;
    limit?: number;
    stats?: Record<string, number | undefined>;
  };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number } | undefined>;
  blkio_stats?: {
    io_service_bytes_recursive?: Array<{ op?: string; value?: number }> | null;
  };
}

interface CpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null };
  system_cpu_usage?: number;
  online_cpus?: number;
}

/**
 * CPU in % of one core, as the Docker CLI computes it on Linux: the container's CPU time since the
 * previous frame over the host's, times the number of CPUs. 0 on the first frame (no previous).
 */
export function cpuPercent(stats: RawStats): number {
  const cpu = stats.cpu_stats;
  const pre = stats.precpu_stats;
  const cpuDelta = (cpu?.cpu_usage?.total_usage ?? 0) - (pre?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (cpu?.system_cpu_usage ?? 0) - (pre?.system_cpu_usage ?? 0);
  const online = cpu?.online_cpus || cpu?.cpu_usage?.percpu_usage?.length || 0;
  if (!pre?.system_cpu_usage || systemDelta <= 0 || cpuDelta <= 0 || online === 0) return 0;
  return (cpuDelta / systemDelta) * online * 100;
}

/**
 * Memory in use without the page cache, as the Docker CLI shows it: usage minus
 * `total_inactive_file` (cgroup v1) or `inactive_file` (cgroup v2) when smaller than usage.
 */
export function memoryUsed(stats: RawStats): number {
  const usage = stats.memory_stats?.usage ?? 0;
  const detail = stats.memory_stats?.stats ?? {};
  const v1 = detail.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = detail.inactive_file;
  if (v2 !== undefined && v2 < usage) return usage - v2;
  return usage;
}

function blockIo(stats: RawStats, op: 'read' | 'write'): number {
  return (stats.blkio_stats?.io_service_bytes_recursive ?? [])
    .filter((entry) => entry.op?.toLowerCase() === op)
    .reduce((sum, entry) => sum + (entry.value ?? 0), 0);
}

/** A frame as the app shows it; undefined for a frame of a stopped container (no read time). */
export function sampleFromStats(service: string, stats: RawStats): ResourceSample | undefined {
  const at = Date.parse(stats.read);
  // A stopped container's frames carry the zero time and no figures.
  if (!Number.isFinite(at) || at <= 0 || stats.memory_stats?.usage === undefined) return undefined;
  const networks = Object.values(stats.networks ?? {});
  return {
    service,
    at: new Date(at).toISOString(),
    cpuPercent: cpuPercent(stats),
    memoryBytes: memoryUsed(stats),
    memoryLimitBytes: stats.memory_stats.limit ?? 0,
    networkRxBytes: networks.reduce((sum, n) => sum + (n?.rx_bytes ?? 0), 0),
    networkTxBytes: networks.reduce((sum, n) => sum + (n?.tx_bytes ?? 0), 0),
    blockReadBytes: blockIo(stats, 'read'),
    blockWriteBytes: blockIo(stats, 'write'),
  };
}
