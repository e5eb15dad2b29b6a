/**
 * The HTTP API's handlers and routers, each area's handed its services; the express app itself is
 * made by http/app.ts.
 */
import type { RequestHandler } from 'express';
import { networkInterfaces } from 'node:os';
import type { StackProgress } from '../contract/stack.js';
import type { AlertsService } from '../core/alerts/alerts-service.js';
import type { JobRunner } from '../core/jobs/job-runner.js';
import { metricsExtras } from '../core/health/metrics.js';
import { SettingsService } from '../core/settings/settings-service.js';
import { pullPolicyOf } from '../core/settings/stack-settings.js';
import { alertsHandlers } from '../http/alerts-routes.js';
import { appReleaseHandlers } from '../http/app-release-routes.js';
import type { createAuthenticator } from '../http/auth.js';
import { authHandlers, type ServerMode } from '../http/auth-routes.js';
import { healthHistoryHandlers } from '../http/health-history-routes.js';
import { logsHandlers, logStreamsRouter } from '../http/logs-routes.js';
import { supportBundleRouter } from '../http/support-bundle-routes.js';
import { metricsRouter } from '../http/metrics-route.js';
import { resourcesHandlers } from '../http/resources-routes.js';
import type { RouteHandlers } from '../http/routes.js';
import { settingsHandlers } from '../http/settings-routes.js';
import { updatesHandlers } from '../http/updates-routes.js';
import { updateApplyHandlers } from '../http/update-apply-routes.js';
import { settingsUpdateHistory } from '../core/updates/update-history.js';
import { stackHandlers } from '../http/stack-routes.js';
import { NodeFileSystem } from '../infra/fs/node-file-system.js';
import type { SqliteJobs } from '../infra/store/sqlite-jobs.js';
import { APP_VERSION } from '../version.js';
import type { createBackupArea } from './backup.js';
import { lastSuccessfulBackupAt } from './alerts.js';
import { lazyHandlers, lazyRouter } from './lazy.js';
import { imagesRoutes } from '../contract/images-routes.js';
import { secretsRoutes } from '../contract/secrets-routes.js';
import type { backupRoutes } from '../contract/backup-routes.js';
import type { AppContext } from './context.js';
import { serverDoctor } from './doctor.js';
import type { HealthHistory } from './health-history.js';
import { createLogService } from './logs.js';
import type { Monitoring } from './monitoring.js';
import { createStackService } from './stack.js';
import type { UpdatesArea } from './updates.js';
import type { AppReleaseArea } from './app-release.js';
import type { PairingService } from '../core/auth/pairing.js';
import { devicesHandlers } from '../http/devices-routes.js';
import { appliancesHandlers } from '../http/appliances-routes.js';
import type { RemoteArea } from './remote.js';
import { currentTray } from './tray.js';

export interface RouteAreas {
  runner: JobRunner;
  jobs: SqliteJobs;
  alerts: AlertsService;
  monitoring: Monitoring;
  healthHistory: HealthHistory;
  /** The backup area's handlers, and the area itself (loaded on first use). */
  backupHandlers: Pick<RouteHandlers, keyof typeof backupRoutes>;
  backupArea: () => Promise<ReturnType<typeof createBackupArea>>;
  authenticator: ReturnType<typeof createAuthenticator>;
  authDeps: Parameters<typeof authHandlers>[0] & { mode: ServerMode };
  startedAt: number;
  updates: UpdatesArea;
  appRelease: AppReleaseArea;
  pairing: PairingService;
  remote: RemoteArea;
}

export function routeHandlers(ctx: AppContext, areas: RouteAreas): RouteHandlers {
  const { paths, env, settings, publish } = ctx;
  const { runner } = areas;
  const stackProgress = (jobId?: string) => (progress: StackProgress) =>
    publish({ type: 'stack.progressed', ...(jobId ? { jobId } : {}), progress });
  const settingsService = () =>
    new SettingsService(
      { fs: new NodeFileSystem(), settings, now: ctx.now },
      { stackDir: paths.stackDir, composeFile: paths.composeFile, secretsDir: paths.secretsDir },
    );
  return {
    ...logsHandlers({ logs: () => logService(ctx) }),
    ...resourcesHandlers(areas.monitoring),
    ...alertsHandlers(() => areas.alerts),
    ...devicesHandlers(() => areas.pairing),
    ...appliancesHandlers({
      remote: () => areas.remote.appliances,
      watch: () => areas.remote.watch,
    }),
    tray: async () => currentTray(ctx, areas.alerts),
    ...healthHistoryHandlers(areas.healthHistory.api),
    ...areas.backupHandlers,
    ...lazyHandlers(imagesRoutes, async () => {
      const [{ imagesHandlers }, { createImageSourceService }] = await Promise.all([
        import('../http/images-routes.js'),
        import('./images.js'),
      ]);
      return imagesHandlers({
        images: () => createImageSourceService(env),
        // A check publishes no progress: it answers in the request.
        stack: () => createStackService(paths, env, () => undefined),
        settings: settingsService,
        runner,
      });
    }),
    health: async () => ({
      status: 'ok',
      version: APP_VERSION,
      uptimeSeconds: Math.round((Date.now() - areas.startedAt) / 1000),
    }),
    doctor: async (query) => serverDoctor(ctx, query),
    ...authHandlers(areas.authDeps),
    ...settingsHandlers({
      settings: settingsService,
      runner,
      reconcile: (config, jobId, onProgress) =>
        createStackService(paths, env, (progress) => {
          publish({ type: 'stack.progressed', jobId, progress });
          onProgress?.(progress);
        }).up({ pullPolicy: config.pullPolicy }),
      interfaces: () =>
        Object.entries(networkInterfaces()).flatMap(([name, list]) =>
          (list ?? []).map((nic) => ({ ...nic, name })),
        ),
      teardown: (jobId) => createStackService(paths, env, stackProgress(jobId)).down(),
    }),
    ...stackHandlers({
      stack: (publishTo, jobId) =>
        createStackService(paths, env, (progress) =>
          publishTo({ type: 'stack.progressed', ...(jobId ? { jobId } : {}), progress }),
        ),
      runner,
      jobs: areas.jobs,
      publish,
      health: ctx.health,
      beforeUp: async () => {
        const { createSecretsService } = await import('./secrets.js');
        return createSecretsService(paths, env, settings, () => undefined).dropExpiredGrace();
      },
      pullPolicy: () => pullPolicyOf(ctx.stackConfig.read()),
    }),
    ...updatesHandlers({
      updates: () => areas.updates.service,
      nextCheckAt: () => areas.updates.scheduler.next(),
      settingsChanged: () => areas.updates.scheduler.changed(),
    }),
    ...appReleaseHandlers({
      appRelease: () => areas.appRelease.service,
      nextCheckAt: () => areas.appRelease.scheduler.next(),
      settingsChanged: () => areas.appRelease.scheduler.changed(),
    }),
    ...updateApplyHandlers({
      runner,
      images: () => ({ ...(ctx.stackConfig.read()?.images ?? {}) }),
      history: () => settingsUpdateHistory(settings).list(),
      applier: async (jobId) => {
        const [backup, { createUpdateApplier }] = await Promise.all([
          areas.backupArea(),
          import('./update-apply.js'),
        ]);
        return createUpdateApplier({
          paths,
          env,
          settings,
          backups: backup.services,
          onStackProgress: stackProgress(jobId),
          onRolledBack: (record) =>
            ctx.logger.warn('an update was rolled back', { to: record.to, reason: record.reason }),
        });
      },
      imagesChanged: () => {
        areas.updates.service.check().catch((error: unknown) => {
          ctx.logger.warn('the update check after an update failed', { error });
        });
      },
    }),
    ...lazyHandlers(secretsRoutes, async () => {
      const [{ secretsHandlers }, { createSecretsService }] = await Promise.all([
        import('../http/secrets-routes.js'),
        import('./secrets.js'),
      ]);
      return secretsHandlers({
        secrets: (jobId) => createSecretsService(paths, env, settings, stackProgress(jobId)),
        runner,
      });
    }),
  };
}

const logService = (ctx: AppContext) =>
  createLogService(ctx.paths, ctx.env, {
    extraSecrets: ctx.extraSecrets,
    onError: (e) => ctx.logger.warn('log follow failed', { error: e }),
  });

export function routeRouters(ctx: AppContext, areas: RouteAreas): RequestHandler[] {
  const requireAuth = areas.authenticator.require;
  const { backupArea } = areas;
  return [
    logStreamsRouter({
      logs: () => logService(ctx),
      requireAuth,
      onError: (e) => ctx.logger.warn('log stream failed', { error: e }),
    }).router,
    supportBundleRouter({
      requireAuth,
      bundle: async () =>
        (await import('./support.js')).createSupportBundle(ctx.paths, ctx.env, {
          extraSecrets: ctx.extraSecrets,
          events: () => {
            const replay = ctx.bus.since(Math.max(0, ctx.bus.lastId - 200));
            return replay.kind === 'events' ? replay.events.map((e) => e.event) : [];
          },
        }),
    }),
    lazyRouter('/api/backups/', async () => {
      const [backup, { backupDownloadRouter }] = await Promise.all([
        backupArea(),
        import('../http/backup-download.js'),
      ]);
      return backupDownloadRouter({ backups: () => backup.services().backups, requireAuth });
    }),
    lazyRouter('/api/backups/', async () => {
      const [backup, { backupUploadRouter }] = await Promise.all([
        backupArea(),
        import('../http/backup-upload.js'),
      ]);
      return backupUploadRouter({ uploads: () => backup.uploads, requireAuth });
    }),
    metricsRouter({
      requireAuth,
      health: ctx.health,
      jobs: () => areas.jobs.list(200),
      extras: () =>
        metricsExtras({
          resources: areas.monitoring.latest().services,
          firing: areas.alerts.firing(),
          lastBackupAt: lastSuccessfulBackupAt(ctx),
          now: new Date(),
        }),
    }),
  ];
}
