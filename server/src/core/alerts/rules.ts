import type { AlertRuleId, AlertSettings } from '../../contract/alerts.js';
import type { UpdateRecord } from '../../contract/update-apply-routes.js';
import type { AffectedServices, OverallStatus, ServiceHealth } from '../../contract/health.js';
import type { AlertSeverity } from '../../contract/tray.js';
import { explainCertbotFailure, type CertbotAttempt } from './letsencrypt-attempt.js';

/** A condition that holds now: one alert per (rule, subject) while it does. */
export interface Condition {
  rule: AlertRuleId;
  subject: string;
  severity: AlertSeverity;
  title: string;
  message: string;
  page: string;
}

/** What the engine has seen of one service (from the health monitor's events and samples). */
export interface ServiceWatch {
  health: ServiceHealth;
  oneShot: boolean;
  /** MediaNest cannot work without it: its trouble is MediaNest down. */
  essential: boolean;
  /** When it was first seen unhealthy in its current unhealthy spell (ms). */
  unhealthySince?: number;
  /** Since when it has not been running (exited, created or missing) (ms). */
  downSince?: number;
  /** When the engine restarted it (ms), newest last; only restarts seen while watching. */
  restartTimes: number[];
  /** Since when its memory has been above the rule's percentage (ms), and the last percentage. */
  memoryAboveSince?: number;
  memoryPercent?: number;
}

/** Inputs read on a timer (slow or from other areas); undefined = not known (no alert). */
export interface SlowInputs {
  /** Free and total bytes of the data folder's file system. */
  disk?: { freeBytes: number; totalBytes: number };
  /** When the certificate nginx serves expires. */
  certificateNotAfter?: Date;
  /** certbot's last attempt for the configured domain (the tls profile with a domain). */
  letsEncrypt?: CertbotAttempt;
  /** The newest update of the stack (its history's first record). */
  lastUpdate?: UpdateRecord;
  /** Backups: the last success (undefined = none yet), the schedule's interval, and since when watched. */
  backup?: { lastSuccessAt: Date | undefined; intervalMs: number; watchingSince: Date };
}

export interface WatchState {
  services: ReadonlyMap<string, ServiceWatch>;
  /** The stack's overall status; undefined before the first health arrived. */
  status: OverallStatus | undefined;
  /** Services that cannot work because one they need is down (from the health model). */
  affected: AffectedServices;
  /**
   * A job that recreates, stops or starts containers (an install, a restore, a settings change):
   * whether one runs now, and when the last one ended (ms). Services are expected to be down
   * meanwhile, so "down for N s" counts from its end.
   */
  stackJob?: { running: boolean; endedAt?: number };
  slow: SlowInputs;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const servicePage = (service: string): string => `/services/${encodeURIComponent(service)}`;

function duration(ms: number): string {
  if (ms >= 2 * DAY) return `${Math.floor(ms / DAY)} days`;
  if (ms >= 2 * HOUR) return `${Math.floor(ms / HOUR)} hours`;
  if (ms >= 120_000) return `${Math.floor(ms / 60_000)} minutes`;
  return `${Math.max(1, Math.round(ms / 1000))} seconds`;
}

/** Keeps the restarts inside the crash-loop window (the rest can never count again). */
export function pruneRestarts(watch: ServiceWatch, now: number, windowMs: number): void {
  while (watch.restartTimes.length > 0 && (watch.restartTimes[0] ?? 0) <= now - windowMs) {
    watch.restartTimes.shift();
  }
}

/**
 * How a service's trouble is weighed: for a service MediaNest needs (when that rule is on) it is
 * MediaNest down, critical and told after the shorter delay; else the rule's own.
 */
function weigh(
  w: ServiceWatch,
  rules: AlertSettings,
  ruleAfterSeconds: number,
): { severity: 'warning' | 'critical'; afterMs: number; note: string } {
  if (rules.medianestDown.enabled && w.essential) {
    return {
      severity: 'critical',
      afterMs: rules.medianestDown.afterSeconds * 1000,
      note: ' MediaNest does not work without it.',
    };
  }
  return { severity: 'warning', afterMs: ruleAfterSeconds * 1000, note: '' };
}

function serviceConditions(
  name: string,
  w: ServiceWatch,
  rules: AlertSettings,
  now: number,
  state: WatchState,
): Condition[] {
  const out: Condition[] = [];
  const page = servicePage(name);
  const h = w.health;
  const { serviceUnhealthy, crashLoop, oomKilled, exitedNonZero, serviceStopped, memoryHigh } =
    rules;
  // A service that fails because one it needs is down is that one's alert, not a second one.
  const affected = (state.affected[name]?.length ?? 0) > 0;
  const unhealthy = weigh(w, rules, serviceUnhealthy.afterSeconds);
  if (
    serviceUnhealthy.enabled &&
    !affected &&
    h.state === 'unhealthy' &&
    w.unhealthySince !== undefined &&
    now - w.unhealthySince >= unhealthy.afterMs
  ) {
    const check = h.lastCheck ? ` Last check: ${h.lastCheck.slice(0, 200)}` : '';
    out.push({
      rule: 'service-unhealthy',
      subject: name,
      severity: unhealthy.severity,
      title: `${name} is unhealthy`,
      message: `${name} has failed its health check for ${duration(now - w.unhealthySince)}.${unhealthy.note}${check}`,
      page,
    });
  }
  const windowMs = crashLoop.withinSeconds * 1000;
  const recent = w.restartTimes.filter((t) => t > now - windowMs).length;
  if (crashLoop.enabled && recent >= crashLoop.restarts) {
    out.push({
      rule: 'crash-loop',
      subject: name,
      severity: 'critical',
      title: `${name} keeps crashing`,
      message: `${name} was restarted ${recent} times in the last ${duration(windowMs)}. Its logs say why.`,
      page,
    });
  }
  // The engine keeps its OOM flag after a restart: the alert is about a service down for memory.
  const running = ['running', 'healthy', 'unhealthy', 'starting'].includes(h.state);
  if (oomKilled.enabled && h.oomKilled && !running) {
    const oom = weigh(w, rules, 0);
    out.push({
      rule: 'oom-killed',
      subject: name,
      severity: oom.severity,
      title: `${name} ran out of memory`,
      message: `The system stopped ${name} because it used all the memory it may use.${oom.note} Raising its memory limit in the settings may help.`,
      page,
    });
  }
  // A stack stopped on purpose is no alarm; a one-shot job (migrate) that ended with 0 did its job.
  const downFor =
    w.downSince === undefined || state.status === 'stopped' || state.stackJob?.running
      ? -1
      : now - Math.max(w.downSince, state.stackJob?.endedAt ?? 0);
  const exited = weigh(w, rules, exitedNonZero.afterSeconds);
  const stopped = weigh(w, rules, serviceStopped.afterSeconds);
  if (
    exitedNonZero.enabled &&
    h.state === 'exited' &&
    h.exitCode !== null &&
    h.exitCode !== 0 &&
    downFor >= exited.afterMs
  ) {
    out.push({
      rule: 'exited-nonzero',
      subject: name,
      severity: exited.severity,
      title: `${name} stopped with exit code ${h.exitCode}`,
      message: w.oneShot
        ? `The ${name} job failed with exit code ${h.exitCode}.${exited.note} Its logs say why.`
        : `${name} is not running: it exited with code ${h.exitCode}${h.oomKilled ? ' (out of memory)' : ''}.${exited.note} Its logs say why.`,
      page,
    });
  } else if (
    serviceStopped.enabled &&
    !w.oneShot &&
    (h.state === 'missing' ||
      h.state === 'created' ||
      (h.state === 'exited' && h.exitCode === 0)) &&
    downFor >= stopped.afterMs
  ) {
    out.push({
      rule: 'service-stopped',
      subject: name,
      severity: stopped.severity,
      title: `${name} is stopped`,
      message: `${name} is not running while the rest of the stack is.${stopped.note} Start it again from the dashboard.`,
      page,
    });
  }
  if (
    memoryHigh.enabled &&
    w.memoryAboveSince !== undefined &&
    now - w.memoryAboveSince >= memoryHigh.forSeconds * 1000
  ) {
    out.push({
      rule: 'memory-high',
      subject: name,
      severity: 'warning',
      title: `${name} is close to its memory limit`,
      message: `${name} has used more than ${memoryHigh.percent} % of its memory limit for ${duration(now - w.memoryAboveSince)} (now ${Math.round(w.memoryPercent ?? 0)} %).`,
      page,
    });
  }
  return out;
}

function slowConditions(slow: SlowInputs, rules: AlertSettings, now: number): Condition[] {
  const out: Condition[] = [];
  const { diskLow, backupStale, tlsExpiring, tlsRenewalFailed } = rules;
  if (diskLow.enabled && slow.disk && slow.disk.totalBytes > 0) {
    const freePercent = (slow.disk.freeBytes / slow.disk.totalBytes) * 100;
    if (freePercent < diskLow.minFreePercent) {
      const gb = (slow.disk.freeBytes / 1e9).toFixed(1);
      out.push({
        rule: 'disk-low',
        subject: 'data-disk',
        severity: freePercent < diskLow.minFreePercent / 2 ? 'critical' : 'warning',
        title: 'The data disk is almost full',
        message: `Only ${gb} GB (${freePercent.toFixed(1)} %) is free on the disk holding MediaNest's data. Free some space before the databases stop writing.`,
        page: '/',
      });
    }
  }
  if (backupStale.enabled && slow.backup) {
    const { lastSuccessAt, intervalMs, watchingSince } = slow.backup;
    const allowed = intervalMs + backupStale.graceHours * HOUR;
    const since = lastSuccessAt ?? watchingSince;
    if (now - since.getTime() > allowed) {
      out.push({
        rule: 'backup-stale',
        subject: 'backup',
        severity: 'warning',
        title: lastSuccessAt ? 'The last backup is too old' : 'No backup yet',
        message: lastSuccessAt
          ? `The last successful backup was ${duration(now - lastSuccessAt.getTime())} ago; the schedule expects one every ${duration(intervalMs)}.`
          : `No backup has succeeded in the ${duration(now - watchingSince.getTime())} since the stack was installed.`,
        page: '/backups',
      });
    }
  }
  if (tlsExpiring.enabled && slow.certificateNotAfter) {
    const left = slow.certificateNotAfter.getTime() - now;
    if (left < tlsExpiring.days * DAY) {
      out.push({
        rule: 'tls-expiring',
        subject: 'tls',
        severity: left <= 0 ? 'critical' : 'warning',
        title:
          left <= 0 ? 'The HTTPS certificate has expired' : 'The HTTPS certificate expires soon',
        message:
          left <= 0
            ? "Browsers now refuse MediaNest over HTTPS. Renew the certificate in the settings, or read certbot's log on the Logs page."
            : `It expires in ${duration(left)} (${slow.certificateNotAfter.toISOString().slice(0, 10)}). It is normally renewed automatically; check certbot's logs.`,
        page: '/settings',
      });
    }
  }
  if (tlsRenewalFailed.enabled && slow.letsEncrypt?.result === 'failed') {
    out.push(letsEncryptFailed(slow.letsEncrypt, slow.certificateNotAfter));
  }
  const update = slow.lastUpdate;
  if (
    rules.updateRolledBack.enabled &&
    update &&
    update.result !== 'succeeded' &&
    now - Date.parse(update.startedAt) < 7 * DAY
  ) {
    out.push(updateNotApplied(update));
  }
  return out;
}

/** The newest update did not stay: what was tried, why it failed, and where the stack is now. */
function updateNotApplied(update: UpdateRecord): Condition {
  const services = Object.keys(update.to).join(' and ') || 'the stack';
  const what =
    update.kind === 'rollback'
      ? `The rollback of ${services}`
      : `The update of ${services} to ${update.target}`;
  const when = `${update.startedAt.slice(0, 10)} ${update.startedAt.slice(11, 16)} UTC`;
  const why = update.reason ? `: ${update.reason.slice(0, 300)}` : '';
  const snapshot = update.snapshotId ? ` (${update.snapshotId})` : '';
  return update.result === 'rolled-back'
    ? {
        rule: 'update-rolled-back',
        subject: 'update',
        severity: 'warning',
        title: `${update.kind === 'rollback' ? 'A rollback' : 'An update'} was undone`,
        message: `${what} (${when}) was rolled back by itself${why}. MediaNest runs the version it ran before, with its data as it was; the safety snapshot${snapshot} is kept.`,
        page: '/',
      }
    : {
        rule: 'update-rolled-back',
        subject: 'update',
        severity: 'critical',
        title: `${update.kind === 'rollback' ? 'A rollback' : 'An update'} failed and was not undone`,
        message: `${what} (${when}) failed and could not be rolled back${why}. Restore the safety snapshot${snapshot} from the Backups page.`,
        page: '/backups',
      };
}

function every(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? 'hour' : `${seconds / 3600} hours`;
  return seconds % 60 === 0 ? `${seconds / 60} minutes` : `${seconds} seconds`;
}

/** certbot's last attempt failed: why, in plain words, what to do, and what browsers see meanwhile. */
function letsEncryptFailed(attempt: CertbotAttempt, servedNotAfter: Date | undefined): Condition {
  const { cause, said } = explainCertbotFailure(attempt);
  const { domain } = attempt;
  const when = `${attempt.at.toISOString().slice(11, 16)} UTC`;
  const words = said ? ` (certbot: "${said}")` : '';
  const what =
    attempt.command === 'renew'
      ? `The certificate for ${domain} was not renewed at ${when}:`
      : `There is no Let's Encrypt certificate for ${domain} yet; the attempt at ${when} failed:`;
  const why = {
    offline: ` certbot could not connect to Let's Encrypt (acme-v02.api.letsencrypt.org)${words}. This machine has no internet connection, or its DNS cannot resolve that name: check the network cable or Wi-Fi, the router, and the DNS server.`,
    refused: ` Let's Encrypt answered but would not certify ${domain}${words}. ${domain} must point to this network's public address, and port 80 must reach this machine from the internet (a port forward on the router).`,
    'rate-limited': ` Let's Encrypt's rate limit was reached${words}. It lifts by itself, within a week at most; nothing needs to change.`,
    other: ` certbot stopped with exit code ${attempt.exitCode}${words}. Its full log is on the certbot service's page.`,
  }[cause];
  const meanwhile =
    attempt.command === 'renew'
      ? servedNotAfter
        ? ` The current certificate stays valid until ${servedNotAfter.toISOString().slice(0, 10)}.`
        : ''
      : ' Meanwhile nginx serves the self-signed certificate, so browsers warn before opening MediaNest.';
  return {
    rule: 'tls-renewal-failed',
    // A failed first issuance and a failed renewal are two situations: one resolves as the other begins.
    subject: attempt.command === 'renew' ? 'letsencrypt-renewal' : 'letsencrypt-issue',
    severity: 'warning',
    title: {
      offline: "Let's Encrypt cannot be reached",
      refused: "Let's Encrypt refused the certificate",
      'rate-limited': "Let's Encrypt's rate limit was reached",
      other: 'certbot failed',
    }[cause],
    message: `${what}${why}${meanwhile} certbot tries again every ${every(attempt.retrySeconds)}.`,
    page: '/services/certbot',
  };
}

/** Every condition that holds at `now`, by the rules' settings. Pure: state and clock are inputs. */
export function evaluateRules(state: WatchState, rules: AlertSettings, now: number): Condition[] {
  const out: Condition[] = [];
  for (const [name, watch] of state.services) {
    out.push(...serviceConditions(name, watch, rules, now, state));
  }
  out.push(...slowConditions(state.slow, rules, now));
  return out;
}

/** Rules whose subject is a service: frozen while the engine cannot be asked. */
export const SERVICE_RULES: ReadonlySet<AlertRuleId> = new Set([
  'service-unhealthy',
  'crash-loop',
  'oom-killed',
  'exited-nonzero',
  'service-stopped',
  'memory-high',
]);

/** Rules fed by the slow inputs (read on a timer). */
export const SLOW_RULES: ReadonlySet<AlertRuleId> = new Set([
  'disk-low',
  'backup-stale',
  'tls-expiring',
  'tls-renewal-failed',
  'update-rolled-back',
]);
