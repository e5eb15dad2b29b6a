import { statfs } from 'node:fs/promises';
import { AlertSettingsSchema, type Alert, type AlertSettings } from '../contract/alerts.js';
import type { DomainEvent } from '../contract/events.js';
import type { StackHealth } from '../contract/health.js';
import type { TrayChanged } from '../contract/tray.js';
import type { BackupSchedule } from '../contract/backup-routes.js';
import { createBackupServices } from './backup.js';
import { AlertEngine } from '../core/alerts/alert-engine.js';
import { readSchedule } from '../core/backup/backup-schedule.js';
import {
  ALERT_CHANNELS_KEY,
  ALERT_SETTINGS_KEY,
  ALERTS_WATCHING_SINCE_KEY,
  readAlertSettings,
  readChannels,
} from '../core/alerts/alert-settings.js';
import { ChannelService } from '../core/alerts/channel-service.js';
import type { SlowInputs } from '../core/alerts/rules.js';
import { trayWithAlerts } from '../core/health/tray-state.js';
import { STACK_CONFIG_KEY, type SettingsRepository } from '../core/settings/settings-repository.js';
import type { AlertsApi } from '../http/alerts-routes.js';
import type { HomePaths } from '../infra/fs/home.js';
import type { Logger } from '../infra/log/logger.js';
import { FetchWebhookTransport } from '../infra/net/webhook-transport.js';
import type { Db } from '../infra/store/database.js';
import { SqliteAlerts } from '../infra/store/sqlite-alerts.js';
import { servedCertificateNotAfter } from '../infra/tls/served-certificate.js';

/** Timings and inputs from other areas; tests shorten the timings. */
export interface AlertsOptions {
  /**
   * How often time-based rules are evaluated (default 2 s: a service MediaNest needs is told
   * within its 10 s delay plus one tick).
   */
  tickMs?: number;
  /** How often disk, certificate and backup age are read (default 5 min). */
  slowInputsMs?: number;
  /** How long a condition must stay clear before its alert resolves (default 15 s). */
  resolveHoldMs?: number;
  /** Webhook retries' waits (default 2 s, 10 s) and each attempt's timeout (default 10 s). */
  retryDelaysMs?: readonly number[];
  webhookTimeoutMs?: number;
  /**
   * When the last backup succeeded (undefined: none yet, counted from when monitoring first saw
   * the stack installed); the backup catalogue's newest verified backup when omitted.
   */
  lastSuccessfulBackupAt?: () => Date | undefined;
  /** For quiet hours; the system's when omitted. */
  timeZone?: string;
}

export interface AlertsDeps {
  db: Db;
  settings: SettingsRepository;
  paths: HomePaths;
  env: Record<string, string | undefined>;
  publish: (event: DomainEvent) => void;
  subscribe: (listener: (event: DomainEvent) => void) => () => void;
  health: () => StackHealth;
  logger: Logger;
  options?: AlertsOptions;
}

export interface Alerts {
  api: AlertsApi;
  /** The alerts firing now, newest first (for /metrics). */
  firing(): Alert[];
  /** Adds the firing alerts to the health monitor's tray events; other events pass unchanged. */
  decorate(event: DomainEvent): DomainEvent;
  start(): void;
  stop(): Promise<void>;
}

const DAY = 86_400_000;

/** The longest a scheduled backup may be apart: a day with daily ones, a week with weekly only. */
function backupIntervalMs(schedule: BackupSchedule): number | undefined {
  if (schedule.daily.enabled) return DAY;
  return schedule.weekly.enabled ? 7 * DAY : undefined;
}

interface StackConfigView {
  dataDir?: string;
  domain?: string;
  profiles?: string[];
}

/** Alert rules, history, quiet hours and webhook channels, fed by the bus and a timer. */
export function createAlerts(deps: AlertsDeps): Alerts {
  const { settings, paths, logger } = deps;
  const options = deps.options ?? {};
  const store = new SqliteAlerts(deps.db);
  const now = (): Date => new Date();
  let lastTray: TrayChanged | undefined;
  const publish = (event: DomainEvent): void => {
    deps.publish(event);
    if (event.type === 'alert.changed' && lastTray) {
      deps.publish(trayWithAlerts(lastTray, store.firing()));
    }
  };
  const channels = new ChannelService({
    load: () => readChannels(settings),
    save: (list) => settings.set(ALERT_CHANNELS_KEY, list),
    store,
    transport: new FetchWebhookTransport(),
    now,
    ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}),
    ...(options.webhookTimeoutMs ? { timeoutMs: options.webhookTimeoutMs } : {}),
    onHealth: (channel, error) => {
      if (error) logger.warn('an alert channel failed', { channel: channel.id, error });
      engine.setExternal(
        'channel-failing',
        channel.id,
        error
          ? {
              rule: 'channel-failing',
              subject: channel.id,
              severity: 'warning',
              title: `Notifications to "${channel.name}" fail`,
              message: `The ${channel.kind} channel "${channel.name}" could not deliver an alert: ${error}. Check its settings and send a test.`,
              page: '/alerts',
            }
          : undefined,
      );
    },
  });
  // The channels report a failing delivery to the engine (declared here, called later).
  const engine: AlertEngine = new AlertEngine({
    store,
    settings: () => readAlertSettings(settings),
    now,
    publish,
    deliver: (alert, change) => channels.deliver(alert, change),
    health: deps.health,
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    ...(options.resolveHoldMs !== undefined ? { resolveHoldMs: options.resolveHoldMs } : {}),
  });

  const newestBackup = (): Date | undefined => {
    let list: Array<{ state: string; createdAt: string }>;
    try {
      list = createBackupServices(paths, deps.env, deps.db, settings).backups.list();
    } catch {
      return undefined;
    }
    const good = list
      .filter((b) => b.state === 'verified' || b.state === 'verified-restorable')
      .map((b) => Date.parse(b.createdAt))
      .sort((a, b) => b - a);
    return good[0] === undefined ? undefined : new Date(good[0]);
  };
  const readSlowInputs = async (): Promise<SlowInputs> => {
    const config = settings.get(STACK_CONFIG_KEY) as StackConfigView | undefined;
    if (!config) return {};
    const dataDir = config.dataDir ?? paths.dataDir;
    const disk = await statfs(dataDir)
      .then((s) => ({ freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize }))
      .catch(() => undefined);
    const certificateNotAfter = config.profiles?.includes('tls')
      ? await servedCertificateNotAfter({
          dataDir,
          secretsDir: paths.secretsDir,
          ...(config.domain ? { domain: config.domain } : {}),
        })
      : undefined;
    let since = settings.get(ALERTS_WATCHING_SINCE_KEY);
    if (typeof since !== 'string') {
      since = now().toISOString();
      settings.set(ALERTS_WATCHING_SINCE_KEY, since);
    }
    const intervalMs = backupIntervalMs(readSchedule(settings));
    const lastSuccessAt = (options.lastSuccessfulBackupAt ?? newestBackup)();
    return {
      ...(disk ? { disk } : {}),
      ...(certificateNotAfter ? { certificateNotAfter } : {}),
      // Without a schedule no backup is expected, so none is late.
      ...(intervalMs
        ? { backup: { lastSuccessAt, intervalMs, watchingSince: new Date(since as string) } }
        : {}),
    };
  };
  const refreshSlow = (): void => {
    readSlowInputs().then(
      (inputs) => engine.setSlowInputs(inputs),
      (error: unknown) => logger.warn('reading the alert inputs failed', { error }),
    );
  };

  const timers: NodeJS.Timeout[] = [];
  let unsubscribe: (() => void) | undefined;

  const api: AlertsApi = {
    list: (query) => {
      const page = store.page(query);
      const next = query.offset + page.alerts.length;
      return {
        firing: store.firing(),
        history: page.alerts,
        total: page.total,
        ...(next < page.total ? { nextOffset: next } : {}),
      };
    },
    acknowledge: (id) => engine.acknowledge(id),
    settings: () => readAlertSettings(settings),
    updateSettings: (next: AlertSettings) => {
      const parsed = AlertSettingsSchema.parse(next);
      settings.set(ALERT_SETTINGS_KEY, parsed);
      engine.evaluate();
      return parsed;
    },
    channels: () => channels.list(),
    updateChannels: (list) => {
      const views = channels.replace(list);
      // A channel that is gone cannot fail any more: its alert resolves.
      for (const alert of store.firing()) {
        if (alert.rule === 'channel-failing' && !views.some((v) => v.id === alert.subject)) {
          engine.setExternal('channel-failing', alert.subject, undefined);
        }
      }
      return views;
    },
    testChannel: (id) => channels.test(id),
  };

  return {
    api,
    firing: () => store.firing(),
    decorate(event) {
      if (event.type !== 'tray.changed') return event;
      lastTray = event;
      return trayWithAlerts(event, store.firing());
    },
    start() {
      if (unsubscribe) return;
      unsubscribe = deps.subscribe((event) => engine.handle(event));
      refreshSlow();
      timers.push(
        setInterval(() => engine.tick(), options.tickMs ?? 2000),
        setInterval(refreshSlow, options.slowInputsMs ?? 300_000),
      );
      for (const t of timers) t.unref();
    },
    async stop() {
      unsubscribe?.();
      unsubscribe = undefined;
      for (const t of timers.splice(0)) clearInterval(t);
      // Deliveries under way get a moment; their retries are not worth holding the stop for.
      await Promise.race([channels.settle(), new Promise((r) => setTimeout(r, 2000).unref())]);
    },
  };
}
