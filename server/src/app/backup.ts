/**
 * Builds the backup and restore services of one appliance home from infra adapters; used by the
 * CLI verbs and by createServer, like wiring.ts's createStackService.
 */
import { mkdirSync } from 'node:fs';
import { stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackupServices } from '../core/backup/backup-services.js';
import type { DomainEvent } from '../contract/events.js';
import type { StackProgress } from '../contract/stack.js';
import { createArchiveReader } from '../core/backup/archive/reader.js';
import { createArchiveWriter } from '../core/backup/archive/writer.js';
import { statefulFolders, type BackupSources } from '../core/backup/backup-contents.js';
import { machineTimeZone, readSchedule } from '../core/backup/backup-schedule.js';
import type { LastRuns } from '../core/backup/schedule.js';
import { BackupScheduler } from '../core/backup/backup-scheduler.js';
import { BackupService } from '../core/backup/backup-service.js';
import { installFromArchive } from '../core/backup/install-from-archive.js';
import { RecoveryKeyStore } from '../core/backup/key-store.js';
import { recoveryKeyCodec } from '../core/backup/recovery-codec.js';
import { KINDS_THAT_RECOVER, recoverInterrupted } from '../core/backup/interrupted-work.js';
import { RestoreService } from '../core/backup/restore-service.js';
import { StackState } from '../core/backup/stack-state.js';
import { restoreTest } from '../core/backup/restore-test.js';
import { fileUpdateJournal } from '../core/updates/update-journal.js';
import { busyMessage, type JobLock } from '../core/jobs/job-lock.js';
import type { JobContext, JobRunner } from '../core/jobs/job-runner.js';
import {
  STACK_CONFIG_KEY,
  type ForgettingSettingsRepository,
  type SettingsRepository,
} from '../core/settings/settings-repository.js';
import {
  backupsFolder,
  dataFolder,
  pullPolicyOf,
  stackConfigStore,
} from '../core/settings/stack-settings.js';
import { lastVerifiedBackup } from '../core/backup/last-verified.js';
import { BackupUploads } from '../http/backup-upload.js';
import { readComposeFile } from '../core/stack/stack-files.js';
import { backupHandlers, type BackupHandlers } from '../http/backup-routes.js';
import { DockerodeScratch } from '../infra/docker/dockerode-exec-stream-scratch.js';
import { DockerodeExecStream } from '../infra/docker/dockerode-exec-stream.js';
import { DockerodeServiceExec } from '../infra/docker/dockerode-service-exec.js';
import type { HomePaths } from '../infra/fs/home.js';
import { NodeFileSystem } from '../infra/fs/node-file-system.js';
import type { Db } from '../infra/store/database.js';
import { SqliteBackups, SqliteRestoreJournal } from '../infra/store/sqlite-backups.js';
import { APP_VERSION } from '../version.js';
import { engineAccess } from './engine.js';
import { createStackService } from './stack.js';

/** Settings key of the scheduled slots already run (schedule.ts's LastRuns). */
const LAST_RUNS_KEY = 'backup.lastRuns';

export function recoveryKeyStore(paths: HomePaths): RecoveryKeyStore {
  return new RecoveryKeyStore(join(paths.root, 'recovery.key'), recoveryKeyCodec);
}

export function createBackupServices(
  paths: HomePaths,
  env: Record<string, string | undefined>,
  db: Db,
  settings: SettingsRepository,
  onProgress: (event: StackProgress) => void = () => undefined,
): BackupServices {
  const engine = engineAccess(env);
  engine.checkedProject();
  const fs = new NodeFileSystem();
  const stored = stackConfigStore(settings);
  let state: StackState | undefined;
  const stackState = (): StackState => {
    state ??= engine.connect(
      (endpoint, project) =>
        new StackState(
          new DockerodeServiceExec(endpoint, project),
          new DockerodeExecStream(endpoint, project),
        ),
    );
    return state;
  };
  const location = {
    stackDir: paths.stackDir,
    composeFile: paths.composeFile,
    secretsDir: paths.secretsDir,
  };
  const config = () =>
    stored.require('There is no stack to back up yet: run `medianest-appliance init` first.');
  // Before a stack exists (the preflight of a restore on a new machine checks free space), the
  // default data folder: where an install would put the data.
  const dataDir = async (): Promise<string> => dataFolder(stored.read(), paths.dataDir);
  const sources = async (): Promise<BackupSources> => {
    const compose = await readComposeFile(fs, location);
    const binds: string[] = [];
    for (const service of Object.values(compose.services)) {
      for (const volume of service.volumes ?? []) binds.push(volume.source);
    }
    const root = await dataDir();
    return {
      composeFile: paths.composeFile,
      envFile: paths.envFile,
      secretsDir: paths.secretsDir,
      dataDir: root,
      folders: statefulFolders(binds, root),
      settings: { [STACK_CONFIG_KEY]: config() },
    };
  };
  const backupsDir = (): string => {
    const dir = backupsFolder(settings, paths.backupsDir);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  };
  const keys = recoveryKeyStore(paths);
  const reader = createArchiveReader();
  const backups = new BackupService({
    catalogue: new SqliteBackups(db),
    writer: createArchiveWriter(),
    reader,
    state: stackState,
    key: async () => (await keys.ensure()).key,
    sources,
    backupsDir,
    appVersion: APP_VERSION,
    now: () => new Date(),
    restoreTest: async (archive, progress) => {
      const compose = await readComposeFile(fs, location);
      const images = {
        postgres: compose.services.postgres?.image ?? '',
        redis: compose.services.redis?.image ?? '',
      };
      const scratch = engine.connect((endpoint) => new DockerodeScratch(endpoint));
      await restoreTest({ engine: scratch, reader, images }, archive, progress);
    },
  });
  const restore = new RestoreService({
    backups,
    reader,
    state: stackState,
    stack: () => {
      const stack = createStackService(paths, env, onProgress);
      return {
        stop: (s) => stack.stop(s),
        // The restore waits on the services really answering, not on the engine's first check.
        // After a `down` the containers are gone: an `up` of just these services (and what they
        // depend on) creates them. Otherwise a plain start: an `up` would also give the data
        // folders back to their services' users, and restored data a service cannot use must
        // fail the health gate (and be rolled back), not be repaired unseen.
        start: async (s) => {
          const gone = (await stack.status()).some((row) => row.state === 'missing');
          if (!gone) return stack.start(s, { activeHealth: true });
          const pullPolicy = pullPolicyOf(config());
          await stack.up({ pullPolicy, services: s, activeHealth: true });
        },
      };
    },
    journal: new SqliteRestoreJournal(db),
    localKey: async () => (await keys.ensure()).key,
    dataDir,
    now: () => new Date(),
  });
  const installFrom = (file: string, key: Uint8Array): Promise<void> =>
    installFromArchive(
      {
        fs,
        reader,
        location: {
          stackDir: paths.stackDir,
          secretsDir: paths.secretsDir,
          dataDir: paths.dataDir,
          stagingDir: join(paths.root, '.restore-install'),
        },
        stackConfig: stored,
        adoptKey: (adopted) => keys.adopt(adopted),
        up: (pullPolicy) => createStackService(paths, env, onProgress).up({ pullPolicy }),
        now: () => new Date(),
      },
      { path: file, key },
    );
  const installed = (): boolean => stored.installed();
  return { backups, restore, keys, backupsDir, dataDir, installed, installFrom };
}

/** The backup area of the server: API handlers and the schedule runner. */
export function createBackupArea(options: {
  paths: HomePaths;
  env: Record<string, string | undefined>;
  db: Db;
  settings: ForgettingSettingsRepository;
  runner: JobRunner;
  publish: (event: DomainEvent) => void;
  onError: (message: string, error: unknown) => void;
  /** The home's job lock: the clean-up at start runs under it, never beside a CLI verb's job. */
  lock?: JobLock;
}): {
  handlers: BackupHandlers;
  /** The backup and restore services (built on first use). */
  services: () => BackupServices;
  /** Backup files sent from the browser for a restore. */
  uploads: BackupUploads;
  /**
   * Run inside a job (holding its lock) before its work: for a job that touches the stack or its
   * data, an interrupted restore or backup is settled, and the job's progress and the log say so.
   */
  recoverBefore: (kind: string, ctx: JobContext) => Promise<void>;
  lastSuccessfulBackupAt: () => Date | undefined;
  start: () => void;
  stop: () => void;
} {
  const { paths, env, db, settings, runner, publish } = options;
  let services: BackupServices | undefined;
  const get = (): BackupServices => {
    services ??= createBackupServices(paths, env, db, settings, (progress) =>
      publish({ type: 'stack.progressed', progress }),
    );
    return services;
  };
  const now = (): Date => new Date();
  let stopped = false;
  const scheduler = new BackupScheduler({
    schedule: () => readSchedule(settings),
    timeZone: machineTimeZone,
    backup: (kind, ctx) =>
      get().backups.create(kind, (step, percent, bytes) => ctx.progress(step, percent, bytes)),
    list: () => get().backups.list(),
    remove: (record) => get().backups.remove(record),
    lastRuns: {
      get: () => (settings.get(LAST_RUNS_KEY) as LastRuns | undefined) ?? {},
      set: (runs) => settings.set(LAST_RUNS_KEY, runs),
    },
    runner,
    now,
    onError: options.onError,
  });
  // An interrupted update is settled after this clean-up (at start, or by the next job), and its
  // rollback starts the app itself: see recoverInterrupted.
  const updateFollows = async (): Promise<boolean> =>
    (await fileUpdateJournal(new NodeFileSystem(), paths.root).read()) !== undefined;
  /** An update a kill interrupted, finished or rolled back now: MediaNest is not left down. */
  const settleUpdate = async (): Promise<void> => {
    const { createUpdateApplier } = await import('./update-apply.js');
    const line = await createUpdateApplier({
      paths,
      env,
      settings,
      backups: get,
      onStackProgress: (progress) => publish({ type: 'stack.progressed', progress }),
      onRolledBack: () => undefined,
    }).recover();
    if (line) options.onError(line, undefined);
  };
  const recoverUnlessBusy = async (): Promise<void> => {
    if (!stackConfigStore(settings).installed()) return;
    // A backup or restore a CLI verb runs right now is no crash's leftover: left alone then.
    const taken = options.lock?.acquire({ owner: 'server', kind: 'recover' });
    if (taken && 'busy' in taken) {
      options.onError(`backup recovery at start skipped: ${busyMessage(taken.busy)}`, undefined);
      return;
    }
    try {
      const follows = await updateFollows();
      const said = await recoverInterrupted(get(), { updateFollows: follows });
      for (const line of said) options.onError(line, undefined);
      if (follows) await settleUpdate();
    } finally {
      taken?.held.release();
    }
  };
  const freeBytes = async (path: string): Promise<number> => {
    const fs = await statfs(path);
    return fs.bavail * fs.bsize;
  };
  const uploads = new BackupUploads({ dir: () => get().backupsDir(), freeBytes });
  const handlers = backupHandlers({
    services: get,
    runner,
    settings,
    freeBytes,
    sameDisk: async (a, b) => (await stat(a)).dev === (await stat(b)).dev,
    nextRunAt: () => scheduler.next(),
    uploads: () => uploads,
  });
  return {
    handlers,
    uploads,
    services: get,
    recoverBefore: async (kind, ctx) => {
      if (!KINDS_THAT_RECOVER.has(kind) || !stackConfigStore(settings).installed()) return;
      const said = await recoverInterrupted(get(), { updateFollows: await updateFollows() });
      for (const line of said) {
        ctx.progress(line);
        options.onError(line, undefined);
      }
    },
    /** When the newest verified backup was made; undefined when none is (for /metrics). */
    lastSuccessfulBackupAt: (): Date | undefined => {
      return lastVerifiedBackup(get().backups.list());
    },
    start: () => {
      stopped = false;
      // Leftovers of a crash first: a half-done restore rolled back, partial archives removed.
      void (async () => {
        try {
          await recoverUnlessBusy();
          // An upload outlives no restart: the restore it was sent for was never started.
          const removed = await uploads.sweep(0);
          if (removed > 0)
            options.onError(`removed ${removed} unused uploaded backup file(s)`, undefined);
        } catch (error) {
          options.onError('backup recovery at start failed', error);
        }
        // A server stopped during the clean-up (a quick start and stop) has closed the database
        // the scheduler reads: it must not start then.
        if (!stopped) scheduler.start();
      })();
    },
    stop: () => {
      stopped = true;
      scheduler.stop();
    },
  };
}
