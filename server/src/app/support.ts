/**
 * The composition root of the support bundle: doctor, engine, stack status, jobs and logs of one
 * home. Used by the CLI's `support-bundle` verb and by the server's bundle download.
 */
import { join } from 'node:path';
import type { DomainEvent } from '../contract/events.js';
import { runDoctor } from '../core/doctor/doctor-service.js';
import { buildSupportBundle } from '../core/support/support-bundle.js';
import { createDockerGateway } from '../infra/docker/dockerode-gateway.js';
import type { HomePaths } from '../infra/fs/home.js';
import { NodeFileSystem } from '../infra/fs/node-file-system.js';
import { openDatabase } from '../infra/store/database.js';
import { SqliteJobs } from '../infra/store/sqlite-jobs.js';
import { NodeHostProbe } from '../infra/system/node-host-probe.js';
import { createLogService } from './logs.js';
import { APP_VERSION } from '../version.js';
import { discoveryContext, engineAccess } from './engine.js';
import { createStackService } from './stack.js';

export interface SupportBundleWiring {
  /** Recent domain events (the server's bus), when there is a server. */
  events?: () => DomainEvent[];
  /** Values to mask besides the stack's secrets: the server token, session secrets. */
  extraSecrets?: () => string[];
  linesPerService?: number;
}

/** Secret file name -> value, every file of the secrets folder. */
async function namedSecrets(fs: NodeFileSystem, dir: string): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  if (!(await fs.exists(dir))) return map;
  for (const name of await fs.listDir(dir)) {
    const stat = await fs.stat(join(dir, name)).catch(() => undefined);
    if (!stat || stat.isDirectory) continue;
    map.set(name, (await fs.readText(join(dir, name))).trim());
  }
  return map;
}

export function createSupportBundle(
  paths: HomePaths,
  env: Record<string, string | undefined>,
  wiring: SupportBundleWiring = {},
): Promise<{ name: string; data: Buffer }> {
  const fs = new NodeFileSystem();
  const probe = new NodeHostProbe();
  const extra = wiring.extraSecrets ?? (() => []);
  return buildSupportBundle(
    {
      fs,
      appVersion: APP_VERSION,
      now: () => new Date(),
      secrets: () => namedSecrets(fs, paths.secretsDir),
      extraSecrets: extra,
      doctor: () =>
        runDoctor(
          {
            discovery: discoveryContext(env, probe),
            probe,
            connect: createDockerGateway,
            now: () => new Date(),
          },
          { dataDir: paths.dataDir, httpPort: 80, httpsPort: 443 },
        ),
      engine: async () => {
        const gateway = engineAccess(env).connect(createDockerGateway);
        return { version: await gateway.version(), info: await gateway.info() };
      },
      status: () => createStackService(paths, env, () => undefined).status(),
      jobs: async () => {
        const db = openDatabase(paths.db);
        try {
          return new SqliteJobs(db).list(50);
        } finally {
          db.close();
        }
      },
      ...(wiring.events ? { events: wiring.events } : {}),
      logs: (n) => createLogService(paths, env, { extraSecrets: extra }).lastLines(n),
    },
    {
      composeFile: paths.composeFile,
      envFile: paths.envFile,
      appLogs: [join(paths.root, 'appliance.log'), join(paths.root, 'logs', 'appliance.log')],
      linesPerService: wiring.linesPerService ?? 500,
    },
  );
}
