/**
 * createServer: the areas of the appliance, each built by its assembly function from one context,
 * started and stopped in order.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../core/app-error.js';
import { EngineWatcher, findAnsweringEngine } from '../core/doctor/engine-watcher.js';
import { describeKind } from '../core/jobs/job-lock.js';
import { JobRunner } from '../core/jobs/job-runner.js';
import { PairingService } from '../core/auth/pairing.js';
import { createHttpApp, findRendererDir } from '../http/app.js';
import { createAuthenticator } from '../http/auth.js';
import { loginLinkHandler, loginUrl, type ServerMode } from '../http/auth-routes.js';
import { EventStreamHub } from '../http/event-stream.js';
import { isLoopbackHost } from '../http/security.js';
import { FileJobLock, jobLockPath } from '../infra/fs/file-job-lock.js';
import { SqlitePairing } from '../infra/store/sqlite-devices.js';
import { serveTls } from '../infra/tls/serve-tls.js';
import { SqliteJobs } from '../infra/store/sqlite-jobs.js';
import { createAlerts } from './alerts.js';
import type { createBackupArea } from './backup.js';
import { backupRoutes } from '../contract/backup-routes.js';
import { lazyHandlers, once } from './lazy.js';
import { createContext } from './context.js';
import { discoveryContext } from './engine.js';
import { createHealthHistory } from './health-history.js';
import { createMonitoring } from './monitoring.js';
import { routeHandlers, routeRouters } from './routes.js';
import type { AppServer, ServedTls, ServerEvents, ServerOptions } from './server-types.js';
import { foldersAbove } from '../folders-above.js';
import { followTray } from './tray.js';
import { announceOnLan, announcing, createRemoteArea } from './remote.js';
import { remoteProxyRouter } from '../http/appliances-routes.js';
import { createUpdatesArea } from './updates.js';
import { createAppReleaseArea } from './app-release.js';

/**
 * dist/renderer in the folders above this module, nearest first: the repository's from server/src,
 * dist/server/src and the bundles in dist/ (whose modules all have the bundle's own location); the
 * app's from inside the packaged asar.
 */
const RENDERER_CANDIDATES = foldersAbove(fileURLToPath(new URL('.', import.meta.url))).map((dir) =>
  join(dir, 'dist', 'renderer'),
);

/** Host names a LAN browser may use besides IP addresses: this machine's name, and mDNS's. */
function lanHostNames(bindHost: string): string[] {
  const name = hostname().toLowerCase();
  const names = [name, `${name}.local`];
  return bindHost === '0.0.0.0' || bindHost === '::' ? names : [...names, bindHost];
}

/** The addresses a LAN client may use: of every interface (not link-local) for a wildcard bind. */
function lanAddresses(bindHost: string): string[] {
  if (bindHost !== '0.0.0.0' && bindHost !== '::') return [bindHost, '127.0.0.1'];
  const found = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((info) => info.address)
    .filter((address) => !address.toLowerCase().startsWith('fe80:'));
  return [...new Set(['127.0.0.1', '::1', ...found])];
}

/** The one server behind the Electron window and `medianest-appliance serve`. */
export function createServer(options: ServerOptions): AppServer {
  const ctx = createContext(options);
  const { auth, bus, logger, monitor, token } = ctx;
  const host = options.host ?? '127.0.0.1';
  const mode: ServerMode = isLoopbackHost(host) ? 'loopback' : 'lan';
  const now = options.now ?? Date.now;
  const events = new EventEmitter<ServerEvents>();

  // Jobs: shared with the CLI's verbs in other processes, one job at a time per home.
  const jobs = new SqliteJobs(ctx.db);
  const jobLock = new FileJobLock(jobLockPath(ctx.paths.root));
  const runner = new JobRunner({
    jobs,
    publish: ctx.publish,
    now: ctx.now,
    lock: jobLock,
    // Under the job's lock: an interrupted restore or backup is settled before anything else.
    prepare: async (kind, jobCtx) => {
      const backup = await backupArea();
      await backup.recoverBefore(kind, jobCtx);
      const { recoverUpdateBefore } = await import('./update-apply.js');
      await recoverUpdateBefore(kind, (line) => (jobCtx.progress(line), logger.warn(line)), {
        paths: ctx.paths,
        env: ctx.env,
        settings: ctx.settings,
        backups: backup.services,
        onStackProgress: (progress) => ctx.publish({ type: 'stack.progressed', progress }),
      });
    },
  });
  const alerts = createAlerts(ctx, options.alerts);
  // Paired appliances (issue 21 §2-3): their list, the proxy to them, and their states.
  const remote = createRemoteArea({
    paths: ctx.paths,
    publish: ctx.publish,
    env: ctx.env,
    ...(options.secretBox ? { secretBox: options.secretBox } : {}),
    ...(options.remoteRetryMs ? { retryMs: options.remoteRetryMs } : {}),
  });
  const stopTray = followTray(ctx, alerts, remote.states);
  const healthHistory = createHealthHistory({
    db: ctx.db,
    paths: ctx.paths,
    subscribe: ctx.subscribe,
    extraSecrets: ctx.extraSecrets,
    onError: (error) => logger.warn('health history: an entry was not written', { error }),
  });
  const monitoring = createMonitoring({
    paths: ctx.paths,
    env: ctx.env,
    db: ctx.db,
    publish: ctx.publish,
    subscribe: ctx.subscribe,
    health: ctx.health,
    onDeepCheck: (service, result) => monitor.setDeepCheck(service, result),
    dataDir: ctx.dataDir,
    backupsDir: ctx.backupsDir,
    ...options.monitoring,
  });
  // Loaded when first used (a backup route, a job, or just after the server is ready).
  let backupLoaded: ReturnType<typeof createBackupArea> | undefined;
  const backupArea = once(async () => {
    const { createBackupArea } = await import('./backup.js');
    backupLoaded = createBackupArea({
      paths: ctx.paths,
      env: ctx.env,
      db: ctx.db,
      settings: ctx.settings,
      runner,
      publish: ctx.publish,
      onError: (message, error) => logger.warn(message, { error }),
      lock: jobLock,
    });
    return backupLoaded;
  });
  // The update check on its schedule, never while a job (here or a CLI verb's) runs.
  const updates = createUpdatesArea({
    paths: ctx.paths,
    env: ctx.env,
    settings: ctx.settings,
    publish: ctx.publish,
    jobRunning: () => runner.current() !== undefined || jobLock.holder() !== undefined,
    onError: (message, error) => logger.warn(message, { error }),
  });
  // Whether a newer app is released, once a day; what to run to update goes to the log as well.
  const appRelease = createAppReleaseArea({
    env: ctx.env,
    settings: ctx.settings,
    ...(options.appRelease ? { options: options.appRelease } : {}),
    onNewer: (report) =>
      logger.warn(`MediaNest Appliance ${report.latest?.version ?? ''} is released`, {
        current: report.current,
        howToUpdate: report.howToUpdate,
      }),
    onError: (message, error) => logger.warn(message, { error }),
  });
  // Notices an engine being installed or started while the setup page waits for it.
  const engineWatcher = new EngineWatcher({
    probe: () => findAnsweringEngine(discoveryContext(ctx.env, ctx.probe), ctx.connect),
    publish: ctx.publish,
    now: ctx.now,
  });

  const interrupted = runner.recover();
  if (interrupted.length > 0)
    logger.warn('jobs interrupted by the last stop were marked so', { jobs: interrupted });
  // Beyond loopback: HTTPS with this certificate (made or the user's), set when listening.
  let served: ServedTls | undefined;
  // Paired devices (issue 21 §2): codes and tokens in appliance.db, shared with the CLI's `pair`.
  const pairing = new PairingService({
    repository: new SqlitePairing(ctx.db),
    now,
    fingerprint: () => served?.fingerprint,
    onRevoked: (id) => hub.closeOwner(id, 'revoked'),
  });
  const authenticator = createAuthenticator(token, auth, now, (bearer, address) =>
    pairing.deviceOf(bearer, address),
  );
  // Set once listening: login links are built from it, never from a request's Host.
  let url = '';
  const network = () =>
    mode === 'loopback'
      ? undefined
      : served
        ? { transport: 'https' as const, fingerprint: served.fingerprint }
        : { transport: 'plain-http' as const };
  const authDeps = { auth, authenticator, mode, now, serverUrl: () => url, network };
  const hub = new EventStreamHub({
    bus,
    epoch: randomBytes(6).toString('hex'),
    ...options.eventStream,
    onCutOff: (info) => logger.warn('event stream cut off: the client stopped reading', info),
  });
  const areas = {
    runner,
    jobs,
    alerts,
    monitoring,
    healthHistory,
    backupHandlers: lazyHandlers(backupRoutes, async () => (await backupArea()).handlers),
    backupArea,
    authenticator,
    authDeps,
    startedAt: Date.now(),
    updates,
    appRelease,
    pairing,
    remote,
  };
  const proxy = remoteProxyRouter({
    remote: () => remote.appliances,
    requireAuth: authenticator.require,
  });
  const app = createHttpApp({
    handlers: routeHandlers(ctx, areas),
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
    routers: [proxy.router, ...routeRouters(ctx, areas)],
    logError: (error) => logger.error(error.message, { code: error.code, cause: error.cause }),
  });

  let server: Server | HttpsServer | undefined;
  let stopped = false;
  // A device revoked by the CLI's `devices revoke` (another process): its open streams close too.
  let revokedCheck: NodeJS.Timeout | undefined;
  // Beyond loopback with HTTPS: the appliance answers DNS-SD queries on the LAN (issue 21 §4).
  let announcer: { stop: () => Promise<void> } | undefined;
  return {
    events,
    paths: ctx.paths,
    mode,
    tls: () => served,
    publish: ctx.publish,
    subscribe: ctx.subscribe,
    hasAdminPassword: () => auth.hasAdminPassword(),
    runningJob() {
      // The lock names a CLI verb's job as well as ours; our own is known even without it.
      const holder = jobLock.holder();
      const own = runner.current();
      const job = holder ?? (own && { owner: 'server' as const, kind: own.kind, jobId: own.id });
      if (!job) return undefined;
      return {
        owner: job.owner,
        kind: job.kind,
        ...(job.jobId ? { jobId: job.jobId } : {}),
        description: describeKind(job.kind),
      };
    },
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
      const tls =
        mode === 'lan' && !options.insecurePlainHttp
          ? serveTls({
              dir: ctx.paths.tlsDir,
              names: ['localhost', ...lanHostNames(host), ...(options.allowedHosts ?? [])],
              addresses: lanAddresses(host),
              bindHost: host,
              now: new Date(now()),
              ...(options.tls?.certFile ? { userCert: options.tls.certFile } : {}),
              ...(options.tls?.keyFile ? { userKey: options.tls.keyFile } : {}),
            })
          : undefined;
      const listening = tls
        ? createHttpsServer({ cert: tls.cert, key: tls.key }, app).listen(options.port ?? 0, host)
        : app.listen(options.port ?? 0, host);
      await new Promise<void>((resolve, reject) => {
        listening.once('listening', resolve);
        listening.once('error', reject);
      });
      server = listening;
      if (tls) {
        const { cert: _cert, key: _key, ...shown } = tls;
        served = shown;
      }
      const address = listening.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      const scheme = tls ? 'https' : 'http';
      url = `${scheme}://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`;
      if (options.monitorHealth !== false) {
        // Just after the caller hears `ready` (issue 22: start fast): the first engine request,
        // the alert rules' first evaluation and the rest take some 25 ms that no answer waits on.
        setImmediate(() => {
          if (stopped) return;
          healthHistory.start();
          monitor.start();
          monitoring.start();
          alerts.start();
          // The backup area's clean-up and schedule start once it is loaded.
          backupArea().then(
            (backup) => {
              if (!stopped) backup.start();
            },
            (error: unknown) => logger.warn('the backup area did not load', { error }),
          );
          engineWatcher.start();
          remote.watch.start();
          // The daily check for newer stack images (issue 18 §1); it waits while a job runs.
          updates.scheduler.start();
          appRelease.scheduler.start();
        });
      }
      if (served && announcing(options, ctx.env)) {
        void announceOnLan(address.port, served.fingerprint, logger).then((announced) => {
          if (stopped) void announced?.stop();
          else announcer = announced;
        });
      }
      revokedCheck = setInterval(() => {
        for (const owner of hub.owners())
          if (!pairing.isPaired(owner)) hub.closeOwner(owner, 'revoked');
      }, 2000);
      revokedCheck.unref();
      logger.info('server ready', {
        url,
        mode,
        ...(served ? { fingerprint: served.fingerprint, certificate: served.source } : {}),
      });
      events.emit('ready', { url });
      return { url, token };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const current = server;
      server = undefined;
      clearInterval(revokedCheck);
      await announcer?.stop();
      remote.watch.stop();
      proxy.closeAll();
      backupLoaded?.stop();
      updates.scheduler.stop();
      appRelease.scheduler.stop();
      await engineWatcher.stop();
      // A running job finishes first (its history stays true); then the streams close.
      await runner.settle();
      await monitoring.stop();
      await alerts.stop();
      await monitor.stop();
      await healthHistory.stop();
      stopTray();
      hub.closeAll('server-stopping');
      if (current) {
        const closed = new Promise<void>((resolve) => current.close(() => resolve()));
        current.closeIdleConnections();
        // Ended streams become idle once flushed; anything still open after this is cut.
        const force = setTimeout(() => current.closeAllConnections(), 1500);
        await closed;
        clearTimeout(force);
      }
      ctx.db.close();
      if (current) events.emit('stopped');
    },
  };
}
