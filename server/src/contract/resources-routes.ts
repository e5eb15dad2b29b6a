import { z } from 'zod';
import { route, type RouteDef } from './route-def.js';

/**
 * One reading of a service's container, taken every few seconds (the figures `docker stats` shows,
 * from the engine or the same cgroup counters). Counters (network, block I/O) are totals since the
 * container started.
 */
export const ResourceSampleSchema = z.object({
  service: z.string(),
  /** When the engine read it (ISO time). */
  at: z.string(),
  /**
   * CPU use in % of ONE core since the previous reading, as `docker stats` computes it: 200 means
   * two cores fully busy. 0 when there is no previous reading yet.
   */
  cpuPercent: z.number().min(0),
  /** Memory in use in bytes (without the page cache, as `docker stats` shows it). */
  memoryBytes: z.number().min(0),
  /** The container's memory limit in bytes (the host's memory when it has none). */
  memoryLimitBytes: z.number().min(0),
  /** Bytes received / sent on every network interface of the container, since it started. */
  networkRxBytes: z.number().min(0),
  networkTxBytes: z.number().min(0),
  /** Bytes read from / written to block devices, since it started. */
  blockReadBytes: z.number().min(0),
  blockWriteBytes: z.number().min(0),
});
export type ResourceSample = z.infer<typeof ResourceSampleSchema>;

/** The latest reading of every running service (a stopped service has none). */
export const ResourcesSnapshotSchema = z.object({
  services: z.array(ResourceSampleSchema),
  /** When this snapshot was taken (ISO time). */
  at: z.string(),
});
export type ResourcesSnapshot = z.infer<typeof ResourcesSnapshotSchema>;

/**
 * How far back a history reaches, and so its resolution: `hour` is 10 s points (the last hour),
 * `day` 1 min points (24 h), `month` 10 min points (30 days).
 */
export const ResourceRangeSchema = z.enum(['hour', 'day', 'month']);
export type ResourceRange = z.infer<typeof ResourceRangeSchema>;

export const ResourceHistoryQuerySchema = z.object({
  /** A service of the stack, e.g. `postgres` (path parameter). */
  service: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'must be a service name'),
  range: ResourceRangeSchema.default('hour'),
});
export type ResourceHistoryQuery = z.infer<typeof ResourceHistoryQuerySchema>;

/**
 * One point of a history: the average and the maximum of the readings in its step. Points with no
 * reading (the service was stopped) are absent, not zero: a chart should show a gap there.
 */
export const ResourcePointSchema = z.object({
  /** Start of the step (ISO time). */
  at: z.string(),
  cpuPercentAvg: z.number(),
  cpuPercentMax: z.number(),
  memoryBytesAvg: z.number(),
  memoryBytesMax: z.number(),
  /** The limit at the end of the step. */
  memoryLimitBytes: z.number(),
  /** Counters at the end of the step (totals since the container started; they reset on restart). */
  networkRxBytes: z.number(),
  networkTxBytes: z.number(),
  blockReadBytes: z.number(),
  blockWriteBytes: z.number(),
});
export type ResourcePoint = z.infer<typeof ResourcePointSchema>;

export const ResourceHistorySchema = z.object({
  service: z.string(),
  range: ResourceRangeSchema,
  /** The distance between two points in seconds: 10, 60 or 600. */
  stepSeconds: z.number(),
  /** Oldest first. */
  points: z.array(ResourcePointSchema),
});
export type ResourceHistory = z.infer<typeof ResourceHistorySchema>;

/** Space used by one folder, and what is left on the file system it lives on. */
export const FolderUsageSchema = z.object({
  /** Absolute path on the host. */
  path: z.string(),
  /** False when the folder does not exist (yet): then `usedBytes` is 0. */
  exists: z.boolean(),
  /** Bytes of the files under the folder (apparent size of regular files). */
  usedBytes: z.number().min(0),
  /**
   * True when some subfolders could not be read (a container's own user owns them, e.g. the
   * database's files): then `usedBytes` is a lower bound.
   */
  partial: z.boolean(),
  /** The file system holding the folder: free space for an unprivileged user, and its size. */
  filesystemFreeBytes: z.number().min(0),
  filesystemTotalBytes: z.number().min(0),
});
export type FolderUsage = z.infer<typeof FolderUsageSchema>;

export const DiskUsageSchema = z.object({
  /** The stack's data folder (databases, media metadata). */
  data: FolderUsageSchema,
  /** Where backups are written. */
  backups: FolderUsageSchema,
  /** When it was measured (ISO time); a measurement is cached for up to a minute. */
  at: z.string(),
});
export type DiskUsage = z.infer<typeof DiskUsageSchema>;

export const resourcesRoutes = {
  /** The latest CPU, memory, network and block I/O reading of every running service. */
  resourcesLatest: route('GET', '/api/resources', { output: ResourcesSnapshotSchema }),
  /** One service's history, downsampled to the range's step (404 for an unknown service). */
  resourcesHistory: route('GET', '/api/resources/:service/history', {
    input: ResourceHistoryQuerySchema,
    output: ResourceHistorySchema,
  }),
  /** Space used by the data and backup folders, and free space on their file systems. */
  diskUsage: route('GET', '/api/disk', { output: DiskUsageSchema }),
} as const satisfies Record<string, RouteDef>;

/**
 * The latest readings of every running service (published by monitoring every 5 s while
 * something runs, all services in one event), for live sparklines. The history API has the past.
 */
export const ResourcesSampledSchema = z.object({
  type: z.literal('resources.sampled'),
  services: z.array(ResourceSampleSchema),
  at: z.string(),
});
export type ResourcesSampled = z.infer<typeof ResourcesSampledSchema>;
