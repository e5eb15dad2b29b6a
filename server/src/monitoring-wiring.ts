/**
 * Monitoring beyond live health: per-service resources from the engine's stats streams, their
 * history in SQLite, deep checks through exec, and disk usage. Started and stopped by createServer.
 */
import type { DomainEvent } from './contract/events.js';
import type { DeepCheckResult, StackHealth } from './contract/health.js';
import type {
  DiskUsage,
  ResourceHistory,
  ResourceRange,
  ResourceSample,
  ResourcesSnapshot,
} from './contract/resources-routes.js';
import type { HomePaths } from './infra/fs/home.js';
import type { Db } from './infra/store/database.js';

export interface Monitoring {
  start(): void;
  stop(): Promise<void>;
  latest(): ResourcesSnapshot;
  history(service: string, range: ResourceRange): ResourceHistory | undefined;
  disk(): Promise<DiskUsage>;
  /** Every reading of every running service, as it arrives (about once a second per container). */
  onSample(listener: (sample: ResourceSample) => void): () => void;
}

export interface MonitoringOptions {
  paths: HomePaths;
  env: Record<string, string | undefined>;
  db: Db;
  publish: (event: DomainEvent) => void;
  /** Domain events as they are published (the health monitor's state changes drive the streams). */
  subscribe: (listener: (event: DomainEvent) => void) => () => void;
  health: () => StackHealth;
  /** Where a deep check's result goes: the health monitor, which folds it into the service's health. */
  onDeepCheck: (service: string, result: DeepCheckResult | undefined) => void;
  /** The data folder in use (settings may move it). */
  dataDir: () => string;
  /** The backups folder (`<home>/backups` unless configured). */
  backupsDir: () => string;
}

export function createMonitoring(options: MonitoringOptions): Monitoring {
  void options;
  const at = (): string => new Date().toISOString();
  return {
    start: () => undefined,
    stop: async () => undefined,
    latest: () => ({ services: [], at: at() }),
    history: () => undefined,
    disk: () => Promise.reject(new Error('not yet')),
    onSample: () => () => undefined,
  };
}
