/**
 * Monitoring beyond live health: per-service resources read every 5 s (cgroup files or the engine),
 * their history in SQLite, deep checks through exec, and disk usage. Started and stopped by
 * createServer.
 */
import type { DomainEvent } from '../contract/events.js';
import type { DeepCheckResult, StackHealth } from '../contract/health.js';
import type {
  DiskUsage,
  ResourceHistory,
  ResourceRange,
  ResourceSample,
  ResourcesSnapshot,
} from '../contract/resources-routes.js';
import { DeepChecker } from '../core/health/deep-check.js';
import { diskUsageReader } from '../core/health/disk-usage.js';
import { ResourceHistoryRecorder } from '../core/health/resources-history.js';
import { ResourceSampler } from '../core/health/resources-sampler.js';
import { DockerodeServiceExec } from '../infra/docker/dockerode-service-exec.js';
import { DockerodeStatsGateway } from '../infra/docker/dockerode-stats-gateway.js';
import type { HomePaths } from '../infra/fs/home.js';
import { NodeDiskProbe } from '../infra/fs/node-disk-probe.js';
import type { Db } from '../infra/store/database.js';
import { SqliteResourceHistory } from '../infra/store/sqlite-resources.js';
import { engineAccess } from './engine.js';

export interface Monitoring {
  start(): void;
  stop(): Promise<void>;
  latest(): ResourcesSnapshot;
  history(service: string, range: ResourceRange): ResourceHistory | undefined;
  disk(): Promise<DiskUsage>;
  /** Every reading of every running service, as it is taken (once an interval per container). */
  onSample(listener: (sample: ResourceSample) => void): () => void;
  /** Containers read at every interval right now: the running ones, none when nothing runs. */
  watchedContainers(): number;
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
  /** Between two rounds of deep checks (default 30 s). */
  deepCheckIntervalMs?: number;
  /** Between two `resources.sampled` events (default 5 s). */
  publishIntervalMs?: number;
}

export function createMonitoring(options: MonitoringOptions): Monitoring {
  const { env, publish } = options;
  const engine = engineAccess(env);
  const project = engine.project;
  const now = (): Date => new Date();
  const recorder = new ResourceHistoryRecorder(
    new SqliteResourceHistory(options.db),
    () => Date.now() / 1000,
  );
  const sampler = new ResourceSampler({
    gateway: () => engine.connect((endpoint) => new DockerodeStatsGateway(endpoint)),
    project,
    now,
    publish,
    onSample: (sample) => recorder.add(sample),
    ...(options.publishIntervalMs ? { publishIntervalMs: options.publishIntervalMs } : {}),
  });
  let exec: DockerodeServiceExec | undefined;
  const checker = new DeepChecker({
    exec: async (service, command, timeoutMs) => {
      exec ??= engine.connect((endpoint) => new DockerodeServiceExec(endpoint, project));
      try {
        return await exec.exec(service, command, { timeoutMs });
      } catch (error) {
        exec = undefined;
        throw error;
      }
    },
    health: options.health,
    report: options.onDeepCheck,
    now,
    ...(options.deepCheckIntervalMs ? { intervalMs: options.deepCheckIntervalMs } : {}),
  });
  const disk = diskUsageReader({
    probe: new NodeDiskProbe(),
    dataDir: options.dataDir,
    backupsDir: options.backupsDir,
    now,
  });
  let unsubscribe: (() => void) | undefined;
  let flushTimer: ReturnType<typeof setInterval> | undefined;
  return {
    start() {
      if (unsubscribe) return;
      // The health monitor's state changes say when a container starts or stops.
      unsubscribe = options.subscribe((event) => {
        if (event.type === 'service.state-changed') void sampler.reconcile();
      });
      sampler.start();
      checker.start();
      // A service that stopped leaves its last 10 s bucket open: write it once its step ends.
      flushTimer = setInterval(() => recorder.flush(), 10_000);
      flushTimer.unref();
    },
    async stop() {
      unsubscribe?.();
      if (flushTimer) clearInterval(flushTimer);
      await Promise.all([sampler.stop(), checker.stop()]);
      recorder.flush(true);
    },
    latest: () => sampler.snapshot(),
    history(service, range) {
      const history = recorder.history(service, range);
      const known = options.health().services.some((s) => s.service === service);
      return known || history.points.length > 0 ? history : undefined;
    },
    disk,
    onSample: (listener) => sampler.onSample(listener),
    watchedContainers: () => sampler.watchedContainers,
  };
}
