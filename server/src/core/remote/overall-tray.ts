/**
 * The desktop's tray across appliances (issue 21 §3): this computer's tray and each paired
 * appliance's state folded into one icon and tooltip. An appliance that cannot be reached is
 * `unknown` and outranks only `healthy`: it is not an outage we know of, so it is never `down`.
 */
import type { TrayChanged, TrayOverall, TrayState } from '../../contract/tray.js';
import type { RemoteState } from './remote-watch.js';

const RANK: Record<TrayState, number> = { healthy: 0, unknown: 1, degraded: 2, down: 3 };
const TOOLTIP_LIMIT = 127;

export function worstState(states: readonly TrayState[]): TrayState {
  return states.reduce<TrayState>((worst, s) => (RANK[s] > RANK[worst] ? s : worst), 'healthy');
}

export function overallTray(local: TrayChanged, remotes: readonly RemoteState[]): TrayOverall {
  const appliances = remotes.map(({ id, name, state, problem }) => ({
    id,
    name,
    state,
    ...(problem ? { problem } : {}),
  }));
  if (appliances.length === 0) {
    return { type: 'tray.overall', state: local.state, tooltip: local.tooltip, appliances };
  }
  const parts = [
    `this computer ${local.state}`,
    ...appliances.map(
      (a) =>
        `${a.name} ${a.state !== 'unknown' ? a.state : a.problem ? 'not reachable' : 'unknown'}`,
    ),
  ];
  return {
    type: 'tray.overall',
    state: worstState([local.state, ...appliances.map((a) => a.state)]),
    tooltip: `MediaNest: ${parts.join('; ')}`.slice(0, TOOLTIP_LIMIT),
    appliances,
  };
}
