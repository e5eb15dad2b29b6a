/**
 * Builds the update applier of one appliance home (issue 18, section 2) from the stack service,
 * the settings (the images are settings: rendering them is Settings > Images without its own
 * reconcile), the backup and restore services (the safety snapshot and the rollback's restore)
 * and the engine. Used by the CLI's `update` verb and by the recovery before every stack verb.
 */
import type { StackProgress } from '../contract/stack.js';
import { messageOf } from '../contract/errors.js';
import { AppError } from '../core/app-error.js';
import type { BackupServices } from '../core/backup/backup-services.js';
import { KINDS_THAT_RECOVER } from '../core/backup/interrupted-work.js';
import { freeBytesAt } from '../core/backup/restore-space.js';
import { StackState } from '../core/backup/stack-state.js';
import type { ForgettingSettingsRepository } from '../core/settings/settings-repository.js';
import { SettingsService } from '../core/settings/settings-service.js';
import { pullPolicyOf, stackConfigStore } from '../core/settings/stack-settings.js';
import { imageCheckRefusal } from '../core/stack/image-check.js';
import {
  MIGRATION_READ_LIMITS,
  migrationFolderCandidates,
  migrationSet,
} from '../core/stack/migrations.js';
import { UpdateApplier, type UpdateProgress } from '../core/updates/update-apply.js';
import type { UpdateRecord } from '../core/updates/update-history.js';
import { settingsUpdateHistory } from '../core/updates/update-history.js';
import { fileUpdateJournal } from '../core/updates/update-journal.js';
import { engineSpaceProblem } from '../core/updates/update-space.js';
import { parseImageReference } from '../core/updates/image-reference.js';
import { DockerodeEngineStorage } from '../infra/docker/dockerode-engine-storage.js';
import { DockerodeImageRemover } from '../infra/docker/dockerode-image-remover.js';
import { machineArchitecture, RegistryClient } from '../infra/net/registry-client.js';
import { DockerodeExecStream } from '../infra/docker/dockerode-exec-stream.js';
import { DockerodeServiceExec } from '../infra/docker/dockerode-service-exec.js';
import { DockerodeStackGateway } from '../infra/docker/dockerode-stack-gateway.js';
import type { HomePaths } from '../infra/fs/home.js';
import { NodeFileSystem } from '../infra/fs/node-file-system.js';
import { engineAccess, type Env } from './engine.js';
import { createStackService } from './stack.js';

/**
 * Stopped for the safety snapshot, so nothing writes between it and the update: the backend alone
 * writes to PostgreSQL, Redis and the uploads. The frontend and nginx keep running (nginx answers
 * its own error page meanwhile) and are recreated only when their own definition changes: stopping
 * and health-gating them again cost some 2 s of downtime for nothing (bench/update).
 */
const WRITERS = ['backend'];
/** Room kept free beyond the snapshot's estimate: the new images' layers land on the engine. */
const SPACE_MARGIN = 256 * 1024 * 1024;

export interface UpdateApplyOptions {
  paths: HomePaths;
  env: Env;
  settings: ForgettingSettingsRepository;
  /** The backup area (built by app/backup.ts): the snapshot and the restore. */
  backups: () => BackupServices;
  onStackProgress: (event: StackProgress) => void;
  onRolledBack: (record: UpdateRecord) => void;
}

const registry = new RegistryClient({
  architecture: machineArchitecture(),
  timeoutMs: 10_000,
});

/** What the registry says a pull of `image` downloads; undefined when it cannot say. */
async function downloadSizeOf(image: string): Promise<number | undefined> {
  try {
    const reference = parseImageReference(image);
    const named = reference.digest ?? reference.tag;
    return named ? await registry.downloadSize(reference, named) : undefined;
  } catch {
    return undefined;
  }
}

/** How long the new backend has to answer its health route once its start passed the gate. */
const ANSWER_BUDGET_MS = 30_000;

/**
 * The backend's health route asked from nginx's container, as nginx asks it for users. Its
 * healthcheck alone can be fooled: it counts a 429 as an answer (MediaNest's limiter counts health
 * routes too, R3), so an app answering 503 to everything passes it once the probe has spent the
 * limiter's budget of its own address. From nginx's address a 429 still counts as an answer.
 */
async function verifyAnswers(exec: DockerodeServiceExec): Promise<void> {
  const deadline = Date.now() + ANSWER_BUDGET_MS;
  let last = '';
  for (;;) {
    const result = await exec
      .exec(
        'nginx',
        [
          'curl',
          '-s',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code}',
          '--max-time',
          '5',
          'http://backend:4000/api/health',
        ],
        { timeoutMs: 10_000 },
      )
      .catch((error: unknown) => ({ exitCode: -1, stdout: '', stderr: messageOf(error) }));
    const status = result.stdout.trim();
    if (status === '200' || status === '429') return;
    last =
      status && status !== '000'
        ? `answered ${status}`
        : `gave no answer (${result.stderr.trim() || 'no connection'})`;
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  throw new AppError(
    'conflict',
    `backend did not become healthy: its health route /api/health ${last} for ${ANSWER_BUDGET_MS / 1000} s after its start.`,
  );
}

export function createUpdateApplier(options: UpdateApplyOptions): UpdateApplier {
  const { paths, env, settings } = options;
  const fs = new NodeFileSystem();
  const location = {
    stackDir: paths.stackDir,
    composeFile: paths.composeFile,
    secretsDir: paths.secretsDir,
  };
  const engine = engineAccess(env);
  const stack = () => createStackService(paths, env, options.onStackProgress);
  const gateway = () => engine.connect((endpoint) => new DockerodeStackGateway(endpoint));
  const state = () =>
    engine.connect(
      (endpoint, project) =>
        new StackState(
          new DockerodeServiceExec(endpoint, project),
          new DockerodeExecStream(endpoint, project),
        ),
    );
  const exec = () =>
    engine.connect((endpoint, project) => new DockerodeServiceExec(endpoint, project));
  const settingsService = () =>
    new SettingsService({ fs, settings, now: () => new Date() }, location);
  const config = () =>
    stackConfigStore(settings).require('There is no stack to update: run `init` first.');
  return new UpdateApplier({
    journal: fileUpdateJournal(fs, paths.root),
    history: settingsUpdateHistory(settings),
    now: () => new Date(),
    ports: {
      currentImages: () => ({ ...(config().images ?? {}) }),
      spaceProblem: async () => {
        const dir = options.backups().backupsDir();
        const newest = options
          .backups()
          .backups.list()
          .find((b) => b.state === 'verified');
        const needed = (newest?.size ?? 0) + SPACE_MARGIN;
        const free = await freeBytesAt(dir);
        return free < needed
          ? `Only ${free} bytes are free in ${dir}; the safety snapshot and the new images need about ${needed}.`
          : undefined;
      },
      ensureImages: async (images, progress) => {
        const engineGateway = gateway();
        const missing: string[] = [];
        for (const image of images) {
          if (!(await engineGateway.imageExists(image))) missing.push(image);
        }
        if (missing.length > 0) {
          const storage = await engine
            .connect((endpoint) => new DockerodeEngineStorage(endpoint))
            .free()
            .catch(() => undefined);
          if (!storage)
            progress("Docker's storage is not on this machine: its free space is not checked");
          const sized = await Promise.all(
            missing.map(async (image) => ({ image, downloadBytes: await downloadSizeOf(image) })),
          );
          const problem = engineSpaceProblem(sized, storage);
          if (problem) throw new AppError('insufficient_space', problem);
        }
        for (const image of missing) {
          progress(`Pulling ${image}`);
          await engineGateway.pullImage(image, (p) =>
            options.onStackProgress({ type: 'stack.image-pulling', ...p }),
          );
        }
      },
      checkImages: async (images) => {
        const refusal = imageCheckRefusal(
          await stack().checkImages(settingsService().proposed({ images })),
        );
        if (refusal) throw refusal;
      },
      imageMigrations: async (image) => {
        const engineGateway = gateway();
        const candidates = migrationFolderCandidates(
          (await engineGateway.imageConfig(image)).workingDir,
        );
        const found = await engineGateway.readImageFolder(image, candidates, MIGRATION_READ_LIMITS);
        return found ? migrationSet(found.files, image).map((m) => m.name) : [];
      },
      appliedMigrations: async () => {
        try {
          const out = await state().psql(
            'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name',
          );
          return out.split('\n').filter(Boolean);
        } catch (error) {
          throw new AppError(
            'conflict',
            `The database's migrations could not be read (is the stack up?): ${messageOf(error)}`,
          );
        }
      },
      stopApp: async () => {
        await stack().stop(WRITERS);
      },
      snapshot: async (progress) => (await options.backups().backups.create('safety', progress)).id,
      renderImages: async (images) => {
        await settingsService().apply({ images }, async () => undefined);
      },
      up: async () => {
        await stack().up({ pullPolicy: pullPolicyOf(config()), activeHealth: true });
      },
      verifyAnswers: () => verifyAnswers(exec()),
      down: async () => {
        await stack().down();
      },
      restore: async (snapshotId, progress: UpdateProgress) => {
        await options.backups().restore.restore({ id: snapshotId }, progress);
      },
      removeImage: (image) =>
        engine.connect((endpoint) => new DockerodeImageRemover(endpoint)).remove(image),
      rolledBack: options.onRolledBack,
    },
  });
}

/**
 * Inside a server job that touches the stack (after the backup area's own clean-up): an update a
 * kill interrupted is finished or rolled back first, and the job's progress and the log say so.
 */
export async function recoverUpdateBefore(
  kind: string,
  say: (line: string) => void,
  options: Omit<UpdateApplyOptions, 'onRolledBack'>,
): Promise<void> {
  if (!KINDS_THAT_RECOVER.has(kind) || !stackConfigStore(options.settings).installed()) return;
  const line = await createUpdateApplier({ ...options, onRolledBack: () => undefined }).recover();
  if (line) say(line);
}
