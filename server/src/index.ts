import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir, hostname, networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { LoginLink } from './contract/auth.js';
import type { DomainEvent } from './contract/events.js';
import { AppError } from './core/app-error.js';
import { AuthService } from './core/auth/auth-service.js';
import type { ScryptParams } from './core/auth/password-hash.js';
import { runDoctor } from './core/doctor/doctor-service.js';
import { EngineWatcher, findAnsweringEngine } from './core/doctor/engine-watcher.js';
import type { DockerGatewayFactory } from './core/docker-gateway.js';
import type { HostProbe } from './core/doctor/host-probe.js';
import { EventBus } from './core/events/event-bus.js';
import { createHttpApp, findRendererDir } from './http/app.js';
import { createAuthenticator } from './http/auth.js';
import { authHandlers, loginLinkHandler, loginUrl, type ServerMode } from './http/auth-routes.js';
import { EventStreamHub, type EventStreamOptions } from './http/event-stream.js';
import type { RouteHandlers } from './http/routes.js';
import { isLoopbackHost } from './http/security.js';
import { createDockerGateway } from './infra/docker/dockerode-gateway.js';
import { ensureHome, type HomePaths } from './infra/fs/home.js';
import { FileJobLock, jobLockPath } from './infra/fs/file-job-lock.js';
import { createLogger, type Logger } from './infra/log/logger.js';
import { secretFolderValues } from './infra/log/secret-folder.js';
import { openDatabase } from './infra/store/database.js';
import { SqliteAdminPassword, SqliteSessions } from './infra/store/sqlite-auth.js';
import { NodeHostProbe } from './infra/system/node-host-probe.js';
import { nodeHostOs } from './infra/system/host-os.js';
import { SqliteJobs } from './infra/store/sqlite-jobs.js';
import { SqliteSettings } from './infra/store/sqlite-settings.js';
import { JobRunner } from './core/jobs/job-runner.js';
import { configuredTargets, STACK_CONFIG_KEY } from './core/settings/settings-repository.js';
import type { PullPolicy } from './core/stack/reconciler.js';
import { stackHandlers } from './http/stack-routes.js';
import { settingsHandlers } from './http/settings-routes.js';
import { secretsHandlers } from './http/secrets-routes.js';
import { createSecretsService } from './secrets-wiring.js';
import { SettingsService } from './core/settings/settings-service.js';
import { NodeFileSystem } from './infra/fs/node-file-system.js';
import { createHealthMonitor, createStackService, publishedPorts } from './wiring.js';
import { createAlerts, type AlertsOptions } from './alerts-wiring.js';
import { createHealthHistory } from './health-history-wiring.js';
import { healthHistoryHandlers } from './http/health-history-routes.js';
import { BACKUP_LOCATION_KEY, createBackupArea } from './backup-wiring.js';
import { backupDownloadRouter } from './http/backup-download.js';
import { backupUploadRouter } from './http/backup-upload.js';
import { alertsHandlers } from './http/alerts-routes.js';
import { logsHandlers, logStreamsRouter } from './http/logs-routes.js';
import { supportBundleRouter } from './http/support-bundle-routes.js';
import { metricsRouter } from './http/metrics-route.js';
import { createLogService } from './logs-wiring.js';
import { resourcesHandlers } from './http/resources-routes.js';
import { createMonitoring } from './monitoring-wiring.js';
import { imagesHandlers } from './http/images-routes.js';
import { createImageSourceService } from './images-wiring.js';
import { createSupportBundle } from './support-wiring.js';
import { APP_VERSION } from './version.js';

export type { DomainEvent, ServerEvent } from './contract/events.js';
export { preferSmallHeap } from './infra/system/lean-heap.js';
export { installDockerWithPrompt } from './docker-setup-wiring.js';

export interface ServerOptions {
  /** The appliance home (DESIGN.md); created when missing. */
  home: string;
  /**
   * Default 127.0.0.1: the API drives the Docker socket, so it is root-equivalent. Any other
   * address (LAN mode) needs an admin password first (`setAdminPassword`).
   */
  host?: string;
  /** Default 0: a free port chosen by the OS. */
  port?: number;
  /** The per-launch token; a fresh 256-bit one when omitted. */
  token?: string;
  /** Extra host names the server answers to (beyond loopback names). */
  allowedHosts?: string[];
  rendererDir?: string;
  env?: Record<string, string | undefined>;
  connectDocker?: DockerGatewayFactory;
  hostProbe?: HostProbe;
  logger?: Logger;
  /** The bus core publishes domain events on; a fresh one (last 1000 events) when omitted. */
  bus?: EventBus;
  /** Event stream bounds; tests shorten them. */
  eventStream?: Partial<
    Pick<EventStreamOptions, 'heartbeatMs' | 'maxBufferedBytes' | 'maxStallMs' | 'maxClients'>
  >;
  /** Clock for sessions, login codes and rate limits (ms since the epoch). */
  now?: () => number;
  /** Follow the engine's events for live health, resources and deep checks (default true). */
  monitorHealth?: boolean;
  /** Deep-check and `resources.sampled` intervals (defaults 30 s and 5 s); tests shorten them. */
  monitoring?: { deepCheckIntervalMs?: number; publishIntervalMs?: number };
  /** Alert timings and inputs from other areas (backup age); tests shorten the timings. */
  alerts?: AlertsOptions;
  /** scrypt cost for the admin password; tests lower it. */
  scrypt?: ScryptParams;
}

export interface ServerEvents {
  ready: [{ url: string }];
  stopped: [];
}

export interface AppServer {
  start(): Promise<{ url: string; token: string }>;
  /** Closes every event stream (`stream.closed`), the listener and the database. Final. */
  stop(): Promise<void>;
  readonly events: EventEmitter<ServerEvents>;
  readonly paths: HomePaths;
  /** `lan` when the server listens beyond loopback: then it needs an admin password. */
  readonly mode: ServerMode;
  /** Publishes a domain event to every subscriber and every `/api/events` client. */
  publish(event: DomainEvent): void;
  /** Domain events as they are published (for the desktop shell: tray, notifications). */
  subscribe(listener: (event: DomainEvent) => void): () => void;
  /** A fresh one-time login link (a code valid once, for 10 minutes); after `start()`. */
  createLoginLink(): LoginLink;
  hasAdminPassword(): boolean;
  /** Makes `password` (12+ characters) the admin password; replacing one signs browsers out. */
  setAdminPassword(password: string): Promise<'unchanged' | 'set' | 'changed'>;
}

const RENDERER_CANDIDATES = ['../../dist/renderer', '../../renderer'].map((rel) =>
  fileURLToPath(new URL(rel, import.meta.url)),
);

/** Host names a LAN browser may use besides IP addresses: this machine's name, and mDNS's. */
function lanHostNames(bindHost: string): string[] {
  const name = hostname().toLowerCase();
  const names = [name, `${name}.local`];
  return bindHost === '0.0.0.0' || bindHost === '::' ? names : [...names, bindHost];
}

/** The one server behind the Electron window and `medianest-appliance serve`. */
export function createServer(options: ServerOptions): AppServer {
  const paths = ensureHome(options.home);
  const token = options.token ?? randomBytes(32).toString('hex');
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const host = options.host ?? '127.0.0.1';
  const mode: ServerMode = isLoopbackHost(host) ? 'loopback' : 'lan';
  const db = openDatabase(paths.db);
  const auth = new AuthService({
    sessions: new SqliteSessions(db),
    adminPassword: new SqliteAdminPassword(db),
    now,
    ...(options.scrypt ? { scrypt: options.scrypt } : {}),
  });
  const stackSecrets = secretFolderValues(paths.secretsDir);
  const logger =
    options.logger ??
    createLogger({ secrets: () => [token, ...auth.secrets(), ...stackSecrets()] });
  const probe = options.hostProbe ?? new NodeHostProbe();
  const connect = options.connectDocker ?? createDockerGateway;
  const bus = options.bus ?? new EventBus();
  const events = new EventEmitter<ServerEvents>();
  const jobs = new SqliteJobs(db);
  const settings = new SqliteSettings(db);
  // Shared with the CLI's verbs in other processes: one job at a time per home.
  const jobLock = new FileJobLock(jobLockPath(paths.root));
  const runner = new JobRunner({
    jobs,
    publish: (event) => void bus.publish(event),
    now: () => new Date(),
    lock: jobLock,
    // Under the job's lock: an interrupted restore or backup is settled before anything else.
    prepare: (kind, ctx) => backup.recoverBefore(kind, ctx),
  });
  const alerts = createAlerts({
    db,
    settings,
    paths,
    env,
    publish: (event) => void bus.publish(event),
    subscribe: (listener) => bus.subscribe((published) => listener(published.event)),
    health: () => monitor.snapshot(),
    logger,
    ...(options.alerts ? { options: options.alerts } : {}),
  });
  const healthHistory = createHealthHistory({
    db,
    paths,
    subscribe: (listener) => bus.subscribe((published) => listener(published.event)),
    extraSecrets: () => [token, ...auth.secrets()],
    onError: (error) => logger.warn('health history: an entry was not written', { error }),
  });
  const monitor = createHealthMonitor(
    paths,
    env,
    (event) => void bus.publish(alerts.decorate(event)),
    () => {
      const config = settings.get(STACK_CONFIG_KEY) as
        { httpPort?: number; domain?: string; profiles?: string[] } | undefined;
      if (!config) return undefined;
      if (config.domain && config.profiles?.includes('tls')) return `https://${config.domain}/`;
      return `http://localhost:${config.httpPort ?? 80}/`;
    },
  );
  const monitoring = createMonitoring({
    paths,
    env,
    db,
    publish: (event) => void bus.publish(event),
    subscribe: (listener) => bus.subscribe((published) => listener(published.event)),
    health: () => monitor.snapshot(),
    onDeepCheck: (service, result) => monitor.setDeepCheck(service, result),
    dataDir: () => configuredTargets(settings).dataDir ?? paths.dataDir,
    backupsDir: () => {
      // The folder the backup area writes to: the configured one, else <home>/backups.
      const configured = settings.get(BACKUP_LOCATION_KEY);
      return typeof configured === 'string' ? configured : paths.backupsDir;
    },
    ...options.monitoring,
  });
  const backup = createBackupArea({
    paths,
    env,
    db,
    settings,
    runner,
    publish: (event) => void bus.publish(event),
    onError: (message, error) => logger.warn(message, { error }),
    lock: jobLock,
  });
  // Notices an engine being installed or started while the setup page waits for it.
  const engineWatcher = new EngineWatcher({
    probe: () =>
      findAnsweringEngine(
        {
          env,
          platform: process.platform,
          homeDir: homedir(),
          uid: process.getuid?.() ?? 0,
          probe,
        },
        connect,
      ),
    publish: (event) => void bus.publish(event),
    now: () => new Date(),
  });
  const interrupted = runner.recover();
  if (interrupted.length > 0)
    logger.warn('jobs interrupted by the last stop were marked so', { jobs: interrupted });
  const startedAt = Date.now();
  const authenticator = createAuthenticator(token, auth, now);
  // Set once listening: login links are built from it, never from a request's Host.
  let url = '';
  const authDeps = { auth, authenticator, mode, now, serverUrl: () => url };
  const hub = new EventStreamHub({
    bus,
    epoch: randomBytes(6).toString('hex'),
    ...options.eventStream,
    onCutOff: (info) => logger.warn('event stream cut off: the client stopped reading', info),
  });
  let server: Server | undefined;
  let stopped = false;

  const extraSecrets = (): string[] => [token, ...auth.secrets()];
  const logs = () =>
    createLogService(paths, env, {
      extraSecrets,
      onError: (e) => logger.warn('log follow failed', { error: e }),
    });
  const logStreams = logStreamsRouter({
    logs,
    requireAuth: authenticator.require,
    onError: (e) => logger.warn('log stream failed', { error: e }),
  });
  const supportBundle = supportBundleRouter({
    requireAuth: authenticator.require,
    bundle: () =>
      createSupportBundle(paths, env, {
        extraSecrets,
        events: () => {
          const replay = bus.since(Math.max(0, bus.lastId - 200));
          return replay.kind === 'events' ? replay.events.map((e) => e.event) : [];
        },
      }),
  });

  const handlers: RouteHandlers = {
    ...logsHandlers({ logs }),
    ...resourcesHandlers(monitoring),
    ...alertsHandlers(() => alerts.api),
    ...healthHistoryHandlers(healthHistory.api),
    ...backup.handlers,
    ...imagesHandlers({ images: () => createImageSourceService(env), runner }),
    health: async () => ({
      status: 'ok',
      version: APP_VERSION,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    }),
    doctor: async (query) =>
      runDoctor(
        {
          discovery: {
            env,
            platform: process.platform,
            homeDir: homedir(),
            uid: process.getuid?.() ?? 0,
            probe,
          },
          probe,
          connect,
          now: () => new Date(),
          describeHost: () => nodeHostOs(env),
        },
        {
          dataDir: configuredTargets(settings).dataDir ?? paths.dataDir,
          httpPort: query.httpPort ?? configuredTargets(settings).httpPort ?? 80,
          httpsPort: query.httpsPort ?? configuredTargets(settings).httpsPort ?? 443,
          ownPorts: await publishedPorts(env),
        },
      ),
    ...authHandlers(authDeps),
    ...settingsHandlers({
      settings: () =>
        new SettingsService(
          { fs: new NodeFileSystem(), settings, now: () => new Date() },
          {
            stackDir: paths.stackDir,
            composeFile: paths.composeFile,
            secretsDir: paths.secretsDir,
          },
        ),
      runner,
      reconcile: (config, jobId, onProgress) =>
        createStackService(paths, env, (progress) => {
          bus.publish({ type: 'stack.progressed', jobId, progress });
          onProgress?.(progress);
        }).up({ pullPolicy: config.pullPolicy }),
      interfaces: () =>
        Object.entries(networkInterfaces()).flatMap(([name, list]) =>
          (list ?? []).map((nic) => ({ ...nic, name })),
        ),
      teardown: (jobId) =>
        createStackService(paths, env, (progress) =>
          bus.publish({ type: 'stack.progressed', jobId, progress }),
        ).down(),
    }),
    ...stackHandlers({
      stack: (publish, jobId) =>
        createStackService(paths, env, (progress) =>
          publish({ type: 'stack.progressed', ...(jobId ? { jobId } : {}), progress }),
        ),
      runner,
      jobs,
      publish: (event) => void bus.publish(event),
      health: () => monitor.snapshot(),
      beforeUp: () =>
        createSecretsService(paths, env, settings, () => undefined).dropExpiredGrace(),
      pullPolicy: () => {
        const config = settings.get(STACK_CONFIG_KEY) as { pullPolicy?: PullPolicy } | undefined;
        return config?.pullPolicy ?? 'missing';
      },
    }),
    ...secretsHandlers({
      secrets: (jobId) =>
        createSecretsService(paths, env, settings, (progress) =>
          bus.publish({ type: 'stack.progressed', ...(jobId ? { jobId } : {}), progress }),
        ),
      runner,
    }),
  };

  const app = createHttpApp({
    handlers,
    authenticator,
    loginLink: loginLinkHandler(authDeps),
    events: hub,
    rendererDir: options.rendererDir ?? findRendererDir(RENDERER_CANDIDATES),
    hosts: {
      allowedHosts: [
        ...(options.allowedHosts ?? []),
        ...(mode === 'lan' ? lanHostNames(host) : []),
      ],
      anyIpAddress: mode === 'lan',
    },
    routers: [
      logStreams.router,
      supportBundle,
      backupDownloadRouter({
        backups: () => backup.services().backups,
        requireAuth: authenticator.require,
      }),
      backupUploadRouter({ uploads: () => backup.uploads, requireAuth: authenticator.require }),
      metricsRouter({
        requireAuth: authenticator.require,
        health: () => monitor.snapshot(),
        jobs: () => jobs.list(200),
        extras: () => {
          const lastBackup = backup.lastSuccessfulBackupAt();
          return {
            resources: monitoring.latest().services,
            alerts: alerts.firing().map((a) => ({
              name: `${a.rule}:${a.subject}`,
              state: a.acknowledgedAt ? ('acknowledged' as const) : ('firing' as const),
              severity: a.severity,
            })),
            backupAgeSeconds: lastBackup
              ? Math.max(0, Math.round((Date.now() - lastBackup.getTime()) / 1000))
              : null,
          };
        },
      }),
    ],
    logError: (error) => logger.error(error.message, { code: error.code, cause: error.cause }),
  });

  return {
    events,
    paths,
    mode,
    publish: (event) => void bus.publish(event),
    subscribe: (listener) => bus.subscribe((published) => listener(published.event)),
    hasAdminPassword: () => auth.hasAdminPassword(),
    setAdminPassword: (password) => auth.ensureAdminPassword(password),
    createLoginLink() {
      if (!url) throw new AppError('conflict', 'The server is not listening yet.');
      const { code, expiresAt } = auth.issueLoginCode();
      return { loginUrl: loginUrl(url, code), expiresAt: new Date(expiresAt).toISOString() };
    },
    async start() {
      if (stopped)
        throw new AppError('conflict', 'This server has been stopped; create a new one.');
      if (server) return { url, token };
      if (mode === 'lan' && !auth.hasAdminPassword()) {
        throw new AppError(
          'forbidden',
          `Listening on ${host} would let other machines reach this server, which needs an admin password first.`,
        );
      }
      const listening = app.listen(options.port ?? 0, host);
      await new Promise<void>((resolve, reject) => {
        listening.once('listening', resolve);
        listening.once('error', reject);
      });
      server = listening;
      const address = listening.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`;
      if (options.monitorHealth !== false) {
        healthHistory.start();
        monitor.start();
        monitoring.start();
        alerts.start();
        backup.start();
        engineWatcher.start();
      }
      logger.info('server ready', { url, mode });
      events.emit('ready', { url });
      return { url, token };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const current = server;
      server = undefined;
      backup.stop();
      await engineWatcher.stop();
      // A running job finishes first (its history stays true); then the streams close.
      await runner.settle();
      await monitoring.stop();
      await alerts.stop();
      await monitor.stop();
      await healthHistory.stop();
      hub.closeAll('server-stopping');
      if (current) {
        const closed = new Promise<void>((resolve) => current.close(() => resolve()));
        current.closeIdleConnections();
        // Ended streams become idle once flushed; anything still open after this is cut.
        const force = setTimeout(() => current.closeAllConnections(), 1500);
        await closed;
        clearTimeout(force);
      }
      db.close();
      if (current) events.emit('stopped');
    },
  };
}
