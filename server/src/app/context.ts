/**
 * What every area of the server is built from, made once per server: the home's paths and
 * database, the settings and the typed stack configuration, one engine access, the bus with its
 * one publish adapter, the logger and the clock.
 */
import { randomBytes } from 'node:crypto';
import type { DomainEvent } from '../contract/events.js';
import { AuthService } from '../core/auth/auth-service.js';
import type { DockerGatewayFactory } from '../core/docker-gateway.js';
import type { HostProbe } from '../core/doctor/host-probe.js';
import { EventBus } from '../core/events/event-bus.js';
import type { HealthMonitor } from '../core/health/health-monitor.js';
import type { StackHealth } from '../contract/health.js';
import {
  backupsFolder,
  dataFolder,
  stackConfigStore,
  type StackConfigStore,
} from '../core/settings/stack-settings.js';
import { createDockerGateway } from '../infra/docker/dockerode-gateway.js';
import { ensureHome, type HomePaths } from '../infra/fs/home.js';
import { createLogger, type Logger } from '../infra/log/logger.js';
import { secretFolderValues } from '../infra/log/secret-folder.js';
import { openDatabase, type Db } from '../infra/store/database.js';
import { SqliteAdminPassword, SqliteSessions } from '../infra/store/sqlite-auth.js';
import { SqliteSettings } from '../infra/store/sqlite-settings.js';
import { NodeHostProbe } from '../infra/system/node-host-probe.js';
import { engineAccess, type EngineAccess, type Env } from './engine.js';
import type { ServerOptions } from './server-types.js';
import { createHealthMonitor } from './stack.js';

export interface AppContext {
  paths: HomePaths;
  env: Env;
  db: Db;
  settings: SqliteSettings;
  stackConfig: StackConfigStore;
  engine: EngineAccess;
  probe: HostProbe;
  connect: DockerGatewayFactory;
  bus: EventBus;
  publish: (event: DomainEvent) => void;
  subscribe: (listener: (event: DomainEvent) => void) => () => void;
  logger: Logger;
  now: () => Date;
  auth: AuthService;
  token: string;
  /** Values to mask besides the stack's secrets: the server token, session secrets. */
  extraSecrets: () => string[];
  /** The data folder in use (settings may move it). */
  dataDir: () => string;
  /** The folder backups are written to (`<home>/backups` unless configured). */
  backupsDir: () => string;
  /** Live health of the stack (the monitor is started with the server). */
  monitor: HealthMonitor;
  health: () => StackHealth;
}

export function createContext(options: ServerOptions): AppContext {
  const paths = ensureHome(options.home);
  const token = options.token ?? randomBytes(32).toString('hex');
  const env = options.env ?? process.env;
  const db = openDatabase(paths.db);
  const auth = new AuthService({
    sessions: new SqliteSessions(db),
    adminPassword: new SqliteAdminPassword(db),
    now: options.now ?? Date.now,
    ...(options.scrypt ? { scrypt: options.scrypt } : {}),
  });
  const stackSecrets = secretFolderValues(paths.secretsDir);
  const logger =
    options.logger ??
    createLogger({ secrets: () => [token, ...auth.secrets(), ...stackSecrets()] });
  const bus = options.bus ?? new EventBus();
  const settings = new SqliteSettings(db);
  const stackConfig = stackConfigStore(settings);
  const publish = (event: DomainEvent): void => void bus.publish(event);
  const monitor = createHealthMonitor(paths, env, publish);
  return {
    paths,
    env,
    db,
    settings,
    stackConfig,
    engine: engineAccess(env),
    probe: options.hostProbe ?? new NodeHostProbe(),
    connect: options.connectDocker ?? createDockerGateway,
    bus,
    publish,
    subscribe: (listener) => bus.subscribe((published) => listener(published.event)),
    logger,
    now: () => new Date(),
    auth,
    token,
    extraSecrets: () => [token, ...auth.secrets()],
    dataDir: () => dataFolder(stackConfig.read(), paths.dataDir),
    backupsDir: () => backupsFolder(settings, paths.backupsDir),
    monitor,
    health: () => monitor.snapshot(),
  };
}
