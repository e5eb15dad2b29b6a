import { randomUUID } from 'node:crypto';
import type { Alert, AlertSettings } from '../../contract/alerts.js';
import type { DomainEvent } from '../../contract/events.js';
import type { AffectedServices, ServiceHealth, StackHealth } from '../../contract/health.js';
import { AppError } from '../app-error.js';
import type { AlertStore } from './alert-store.js';
import { isQuietTime } from './quiet-hours.js';
import {
  evaluateRules,
  pruneRestarts,
  SERVICE_RULES,
  SLOW_RULES,
  type Condition,
  type ServiceWatch,
  type SlowInputs,
  type WatchState,
} from './rules.js';

/** One memory reading of a service (from the resources sampler). */
export interface MemorySample {
  service: string;
  memoryBytes: number;
  memoryLimitBytes: number;
  at: string;
}

export interface AlertEngineDeps {
  store: AlertStore;
  /** The rules and quiet hours as stored now (read at every evaluation). */
  settings: () => AlertSettings;
  now: () => Date;
  /** Domain events out: `alert.changed` always, `alert.raised` when the user is to be notified. */
  publish: (event: DomainEvent) => void;
  /** Sends an alert to the webhook channels (fired once notified; resolved when it had been). */
  deliver: (alert: Alert, change: 'fired' | 'resolved') => void;
  /**
   * Whether a service is a one-shot job (migrate), for health that does not say so itself (the
   * health model's own `oneShot` flag wins).
   */
  oneShot?: (service: string) => boolean;
  /** The health monitor's snapshot, re-read at each evaluation in case an event was missed. */
  health?: () => StackHealth | undefined;
  /** For quiet hours; the system's when omitted. */
  timeZone?: string;
  /** A condition must stay clear this long before its alert resolves (default 15 s). */
  resolveHoldMs?: number;
  /** A condition that comes back this soon after resolving reopens its alert silently (10 min). */
  reopenWithinMs?: number;
  newId?: () => string;
}

const isDown = (h: ServiceHealth): boolean =>
  h.state === 'exited' || h.state === 'created' || h.state === 'missing';

const keyOf = (rule: string, subject: string): string => `${rule}\u0000${subject}`;

/** Jobs that only read the stack: services going down meanwhile is news, not the job's doing. */
const READ_ONLY_JOBS = new Set(['backup', 'verify', 'image-build', 'image-load']);

/**
 * Turns the monitoring's events into alerts: one per (rule, subject) while its condition holds,
 * resolved when it has stayed clear for a moment (so a flapping service is one alert, not many),
 * acknowledged by the user. Notifications wait out quiet hours unless critical ones may pass.
 */
export class AlertEngine {
  private readonly services = new Map<string, ServiceWatch>();
  private status: WatchState['status'];
  private affected: AffectedServices = {};
  private readonly stackJobs = new Set<string>();
  private stackJobEndedAt: number | undefined;
  private slow: SlowInputs = {};
  /** Until the slow inputs were read once, their alerts (from before a restart) stay as they are. */
  private slowRead = false;
  private readonly external = new Map<string, Condition>();
  private readonly clearSince = new Map<string, number>();

  constructor(private readonly deps: AlertEngineDeps) {}

  /** Feeds a domain event in (others than health, jobs and resources are ignored). */
  handle(event: DomainEvent): void {
    if (event.type === 'service.state-changed') {
      this.observe(event.service);
      this.evaluate();
    } else if (event.type === 'stack.status-changed') {
      this.status = event.status;
      this.affected = event.affected ?? {};
      this.evaluate();
    } else if (event.type === 'job.progressed' && !READ_ONLY_JOBS.has(event.kind)) {
      this.stackJobs.add(event.jobId);
    } else if (event.type === 'job.finished' && this.stackJobs.delete(event.jobId)) {
      this.stackJobEndedAt = this.deps.now().getTime();
      this.evaluate();
    } else if (event.type === 'resources.sampled') {
      for (const s of event.services) this.sample(s, false);
      this.evaluate();
    }
  }

  /** One memory reading; `evaluate` false when a batch follows. */
  sample(reading: MemorySample, evaluate = true): void {
    const watch = this.services.get(reading.service);
    if (!watch || reading.memoryLimitBytes <= 0) return;
    const percent = (reading.memoryBytes / reading.memoryLimitBytes) * 100;
    watch.memoryPercent = percent;
    if (percent >= this.deps.settings().memoryHigh.percent) {
      watch.memoryAboveSince ??= this.deps.now().getTime();
    } else {
      delete watch.memoryAboveSince;
    }
    if (evaluate) this.evaluate();
  }

  /** Results of the slow inputs (disk, certificate, backup), read on a timer by the wiring. */
  setSlowInputs(inputs: SlowInputs): void {
    this.slow = inputs;
    this.slowRead = true;
    this.evaluate();
  }

  /** A condition the engine does not derive itself (a failing channel); undefined clears it. */
  setExternal(rule: Condition['rule'], subject: string, condition: Condition | undefined): void {
    if (condition) this.external.set(keyOf(rule, subject), condition);
    else this.external.delete(keyOf(rule, subject));
    this.evaluate();
  }

  firing(): Alert[] {
    return this.deps.store.firing();
  }

  acknowledge(id: string): Alert {
    const alert = this.deps.store.get(id);
    if (!alert) throw new AppError('not_found', `There is no alert ${id}.`);
    if (alert.acknowledgedAt) return alert;
    const next = { ...alert, acknowledgedAt: this.deps.now().toISOString() };
    this.deps.store.save(next);
    this.deps.publish({ type: 'alert.changed', change: 'acknowledged', alert: next });
    return next;
  }

  private observe(health: ServiceHealth): void {
    const now = this.deps.now().getTime();
    const watch = this.services.get(health.service);
    // Read at every change: a plan read late (an install) or changed (a restore) says it now.
    const oneShot = health.oneShot ?? this.deps.oneShot?.(health.service) ?? false;
    const essential = health.essential ?? false;
    if (!watch) {
      this.services.set(health.service, {
        health,
        oneShot,
        essential,
        restartTimes: [],
        ...(health.state === 'unhealthy' ? { unhealthySince: now } : {}),
        ...(isDown(health) ? { downSince: now } : {}),
      });
      return;
    }
    // Restarts the engine made since the last look (a recreated container starts again at 0).
    for (let n = watch.health.restarts; n < health.restarts; n++) watch.restartTimes.push(now);
    if (health.state === 'unhealthy') watch.unhealthySince ??= now;
    else delete watch.unhealthySince;
    if (isDown(health)) watch.downSince ??= now;
    else delete watch.downSince;
    if (!['running', 'healthy', 'unhealthy', 'starting'].includes(health.state)) {
      delete watch.memoryAboveSince;
    }
    watch.health = health;
    watch.oneShot = oneShot;
    watch.essential = essential;
  }

  private syncHealth(): void {
    const health = this.deps.health?.();
    if (!health) return;
    this.status = health.status;
    if (health.status === 'unknown') return;
    this.affected = health.affected ?? {};
    for (const s of health.services) this.observe(s);
    for (const name of this.services.keys()) {
      if (!health.services.some((s) => s.service === name)) this.services.delete(name);
    }
  }

  /** Re-reads the health snapshot, then evaluates (the wiring calls it on a timer). */
  tick(): void {
    this.syncHealth();
    this.evaluate();
  }

  /** Fires, resolves and releases held notifications to match the conditions now. */
  evaluate(): void {
    const settings = this.deps.settings();
    const nowDate = this.deps.now();
    const now = nowDate.getTime();
    for (const w of this.services.values()) {
      pruneRestarts(w, now, settings.crashLoop.withinSeconds * 1000);
    }
    const conditions = evaluateRules(
      {
        services: this.services,
        status: this.status,
        affected: this.affected,
        stackJob: {
          running: this.stackJobs.size > 0,
          ...(this.stackJobEndedAt !== undefined ? { endedAt: this.stackJobEndedAt } : {}),
        },
        slow: this.slow,
      },
      settings,
      now,
    );
    const wanted = new Map(conditions.map((c) => [keyOf(c.rule, c.subject), c]));
    for (const [key, c] of this.external) wanted.set(key, c);
    // Without a trustworthy view of the engine, service alerts stay as they are.
    const frozen = this.status === undefined || this.status === 'unknown';
    const quiet = isQuietTime(settings.quietHours, nowDate, this.deps.timeZone);
    const firing = this.deps.store.firing();
    const firingKeys = new Set(firing.map((a) => keyOf(a.rule, a.subject)));
    for (const alert of firing) {
      const key = keyOf(alert.rule, alert.subject);
      const held =
        (frozen && SERVICE_RULES.has(alert.rule)) || (!this.slowRead && SLOW_RULES.has(alert.rule));
      if (wanted.has(key) || held) {
        this.clearSince.delete(key);
        if (alert.notifiedAt === null && this.mayNotify(alert, quiet, settings)) {
          this.notify(alert, nowDate);
        }
        continue;
      }
      const since = this.clearSince.get(key) ?? now;
      this.clearSince.set(key, since);
      if (now - since >= (this.deps.resolveHoldMs ?? 15_000)) {
        this.clearSince.delete(key);
        this.resolve(alert, nowDate);
      }
    }
    for (const [key, condition] of wanted) {
      if (firingKeys.has(key)) continue;
      if (frozen && SERVICE_RULES.has(condition.rule)) continue;
      this.fire(condition, nowDate, quiet, settings);
    }
  }

  private mayNotify(alert: Alert, quiet: boolean, settings: AlertSettings): boolean {
    return (
      !quiet || (alert.severity === 'critical' && settings.quietHours.letCriticalThrough === true)
    );
  }

  private notify(alert: Alert, at: Date): void {
    const next = { ...alert, notifiedAt: at.toISOString() };
    this.deps.store.save(next);
    this.deps.publish({
      type: 'alert.raised',
      alertId: next.id,
      severity: next.severity,
      title: next.title,
      message: next.message,
      page: next.page,
    });
    this.deps.deliver(next, 'fired');
  }

  private fire(condition: Condition, at: Date, quiet: boolean, settings: AlertSettings): void {
    const previous = this.deps.store.latest(condition.rule, condition.subject);
    const reopen =
      previous?.resolvedAt &&
      at.getTime() - Date.parse(previous.resolvedAt) < (this.deps.reopenWithinMs ?? 600_000);
    if (previous && reopen) {
      const again: Alert = { ...previous, state: 'firing', resolvedAt: null };
      this.deps.store.save(again);
      this.deps.publish({ type: 'alert.changed', change: 'fired', alert: again });
      return;
    }
    const alert: Alert = {
      id: this.deps.newId?.() ?? randomUUID(),
      ...condition,
      state: 'firing',
      firedAt: at.toISOString(),
      resolvedAt: null,
      acknowledgedAt: null,
      notifiedAt: null,
    };
    this.deps.store.save(alert);
    this.deps.publish({ type: 'alert.changed', change: 'fired', alert });
    if (this.mayNotify(alert, quiet, settings)) this.notify(alert, at);
  }

  private resolve(alert: Alert, at: Date): void {
    const next: Alert = { ...alert, state: 'resolved', resolvedAt: at.toISOString() };
    this.deps.store.save(next);
    this.deps.publish({ type: 'alert.changed', change: 'resolved', alert: next });
    if (next.notifiedAt !== null) this.deps.deliver(next, 'resolved');
  }
}
