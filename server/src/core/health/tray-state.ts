import type { StackHealth } from '../../contract/health.js';
import type { TrayChanged, TrayState } from '../../contract/tray.js';

const TRAY_OF: Record<StackHealth['status'], TrayState> = {
  healthy: 'healthy',
  degraded: 'degraded',
  down: 'down',
  // Stopped on purpose (or not installed yet) is no alarm: grey, with the tooltip saying so.
  stopped: 'unknown',
  unknown: 'unknown',
};

const TOOLTIP_LIMIT = 127;

/** What the tray shows for a health snapshot: computed here, so the desktop shell only draws it. */
export function trayFromHealth(health: StackHealth, mediaNestUrl?: string): TrayChanged {
  // A one-shot job (migrate) is a step, not a service to count; without the flag, exit 0 says so.
  const longRunning = health.services.filter(
    (s) => !(s.oneShot ?? (s.state === 'exited' && s.exitCode === 0)),
  );
  const healthy = longRunning.filter((s) => s.state === 'healthy' || s.state === 'running').length;
  let tooltip: string;
  switch (health.status) {
    case 'healthy':
      tooltip = `MediaNest: all ${healthy} services healthy`;
      break;
    case 'stopped':
      tooltip =
        health.services.length === 0 ? 'MediaNest is not installed yet' : 'MediaNest is stopped';
      break;
    case 'unknown':
      tooltip = 'MediaNest: the Docker engine is not reachable';
      break;
    case 'down':
      tooltip = `MediaNest is down: ${healthy} of ${longRunning.length} services healthy`;
      break;
    default:
      tooltip = `MediaNest: ${healthy} of ${longRunning.length} services healthy`;
  }
  const problems =
    health.status === 'healthy' || health.status === 'stopped'
      ? []
      : health.reason
          .replace(/\.$/, '')
          .split('; ')
          .filter((p) => p.length > 0);
  return {
    type: 'tray.changed',
    state: TRAY_OF[health.status],
    tooltip: tooltip.slice(0, TOOLTIP_LIMIT),
    problems,
    ...(mediaNestUrl ? { mediaNestUrl } : {}),
  };
}

/**
 * The tray with the firing alerts the user has not acknowledged added to its problems (after the
 * health's own, without repeating one); such an alert turns a healthy tray degraded.
 */
export function trayWithAlerts(
  tray: TrayChanged,
  alerts: ReadonlyArray<{ title: string; acknowledgedAt: string | null }>,
): TrayChanged {
  const titles = alerts.filter((a) => a.acknowledgedAt === null).map((a) => a.title);
  const extra = titles.filter((t, i) => !tray.problems.includes(t) && titles.indexOf(t) === i);
  if (extra.length === 0) return tray;
  const raised = tray.state === 'healthy';
  const count = `${titles.length} alert${titles.length === 1 ? '' : 's'}`;
  return {
    ...tray,
    state: raised ? 'degraded' : tray.state,
    tooltip: raised ? `${tray.tooltip}; ${count}`.slice(0, TOOLTIP_LIMIT) : tray.tooltip,
    problems: [...tray.problems, ...extra],
  };
}
