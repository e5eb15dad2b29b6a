/**
 * The alerts area as one service: rules (AlertEngine), history, quiet hours and webhook channels,
 * fed by the bus and two timers: a fast tick for time-based rules, a slow one for the inputs that
 * are costly to read (through the `slowInputs` port).
 */
import {
  AlertSettingsSchema,
  type Alert,
  type AlertList,
  type AlertSettings,
  type AlertState,
  type ChannelInput,
  type ChannelTestResult,
  type ChannelView,
} from '../../contract/alerts.js';
import type { DomainEvent } from '../../contract/events.js';
import type { StackHealth } from '../../contract/health.js';
import type { SettingsRepository } from '../settings/settings-repository.js';
import { AlertEngine } from './alert-engine.js';
import {
  ALERT_CHANNELS_KEY,
  ALERT_SETTINGS_KEY,
  readAlertSettings,
  readChannels,
} from './alert-settings.js';
import type { AlertStore } from './alert-store.js';
import { ChannelService, type WebhookTransport } from './channel-service.js';
import type { SlowInputs } from './rules.js';

/** Timings; tests shorten them. */
export interface AlertTimings {
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
  /** For quiet hours; the system's when omitted. */
  timeZone?: string;
}

export interface AlertsServiceDeps extends AlertTimings {
  store: AlertStore;
  settings: SettingsRepository;
  transport: WebhookTransport;
  publish: (event: DomainEvent) => void;
  subscribe: (listener: (event: DomainEvent) => void) => () => void;
  health: () => StackHealth;
  /** The inputs read on the slow timer (see slow-inputs.ts). */
  slowInputs: () => Promise<SlowInputs>;
  warn: (message: string, details: Record<string, unknown>) => void;
  now: () => Date;
}

export interface AlertsService {
  list(query: { state?: AlertState; limit: number; offset: number }): AlertList;
  acknowledge(id: string): Alert;
  settings(): AlertSettings;
  updateSettings(settings: AlertSettings): AlertSettings;
  channels(): ChannelView[];
  updateChannels(channels: ChannelInput[]): ChannelView[];
  testChannel(id: string): Promise<ChannelTestResult>;
  /** The alerts firing now, newest first (for /metrics and the tray). */
  firing(): Alert[];
  start(): void;
  stop(): Promise<void>;
}

export function createAlertsService(deps: AlertsServiceDeps): AlertsService {
  const { store, settings, now } = deps;
  const channels = new ChannelService({
    load: () => readChannels(settings),
    save: (list) => settings.set(ALERT_CHANNELS_KEY, list),
    store,
    transport: deps.transport,
    now,
    ...(deps.retryDelaysMs ? { retryDelaysMs: deps.retryDelaysMs } : {}),
    ...(deps.webhookTimeoutMs ? { timeoutMs: deps.webhookTimeoutMs } : {}),
    onHealth: (channel, error) => {
      if (error) deps.warn('an alert channel failed', { channel: channel.id, error });
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
    publish: deps.publish,
    deliver: (alert, change) => channels.deliver(alert, change),
    health: deps.health,
    ...(deps.timeZone ? { timeZone: deps.timeZone } : {}),
    ...(deps.resolveHoldMs !== undefined ? { resolveHoldMs: deps.resolveHoldMs } : {}),
  });
  const refreshSlow = (): void => {
    deps.slowInputs().then(
      (inputs) => engine.setSlowInputs(inputs),
      (error: unknown) => deps.warn('reading the alert inputs failed', { error }),
    );
  };

  const timers: NodeJS.Timeout[] = [];
  let unsubscribe: (() => void) | undefined;

  return {
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
    updateSettings: (next) => {
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
    firing: () => store.firing(),
    start() {
      if (unsubscribe) return;
      unsubscribe = deps.subscribe((event) => engine.handle(event));
      refreshSlow();
      timers.push(
        setInterval(() => engine.tick(), deps.tickMs ?? 2000),
        setInterval(refreshSlow, deps.slowInputsMs ?? 300_000),
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
