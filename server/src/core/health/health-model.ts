import type { OverallStatus, ServiceHealth, ServiceState } from '../../contract/health.js';
import type { ContainerDetails, StackEngineEvent } from '../stack/stack-gateway.js';

/** What the model knows of each planned service; `oneShot` jobs (migrations) may be exited. */
export interface ServiceSpec {
  name: string;
  oneShot: boolean;
  hasHealthcheck: boolean;
}

export function stateFromDetails(
  spec: ServiceSpec,
  details: ContainerDetails | undefined,
): ServiceHealth {
  if (!details) {
    return {
      service: spec.name,
      state: 'missing',
      lastCheck: null,
      restarts: 0,
      startedAt: null,
      exitCode: null,
      oomKilled: false,
    };
  }
  let state: ServiceState;
  switch (details.state) {
    case 'running':
      state =
        details.health === 'healthy'
          ? 'healthy'
          : details.health === 'unhealthy'
            ? 'unhealthy'
            : details.health === 'starting'
              ? 'starting'
              : 'running';
      break;
    case 'restarting':
      state = 'restarting';
      break;
    case 'created':
      state = 'created';
      break;
    default:
      state = 'exited';
  }
  return {
    service: spec.name,
    state,
    lastCheck: details.lastHealthOutput ?? null,
    restarts: details.restartCount,
    startedAt: details.state === 'running' ? (details.startedAt ?? null) : null,
    exitCode: state === 'exited' ? details.exitCode : null,
    oomKilled: details.oomKilled,
  };
}

/** A deep check speaks for one run of a container: a new run or its end drops it. */
function withoutDeepCheck(current: ServiceHealth): ServiceHealth {
  const { deepCheck: _dropped, ...rest } = current;
  return rest;
}

/** The next state of a service after an engine event (the engine's own semantics, no polling). */
export function applyEvent(
  current: ServiceHealth,
  spec: ServiceSpec,
  event: StackEngineEvent,
  at: string,
): ServiceHealth {
  switch (event.kind) {
    case 'start':
      return {
        ...withoutDeepCheck(current),
        state: spec.hasHealthcheck ? 'starting' : 'running',
        startedAt: at,
        exitCode: null,
        oomKilled: false,
      };
    case 'health':
      return { ...current, state: event.health };
    case 'die':
      return {
        ...withoutDeepCheck(current),
        state: 'exited',
        exitCode: event.exitCode,
        startedAt: null,
      };
    case 'oom':
      return { ...current, oomKilled: true };
    case 'destroy':
      return {
        service: current.service,
        state: 'missing',
        lastCheck: null,
        restarts: 0,
        startedAt: null,
        exitCode: null,
        oomKilled: false,
      };
  }
}

const isUp = (s: ServiceHealth, spec: ServiceSpec | undefined): boolean =>
  spec?.oneShot
    ? s.state === 'exited' && s.exitCode === 0
    : s.state === 'healthy' || (s.state === 'running' && !spec?.hasHealthcheck);

/**
 * One status for the stack: healthy (everything up), degraded (some services not), down (none of
 * the long-running ones up), stopped (everything stopped on purpose or not created), unknown (the
 * engine cannot be asked). The reason names the services in trouble.
 */
export function overallStatus(
  services: ServiceHealth[],
  specs: ReadonlyMap<string, ServiceSpec>,
  engineProblem?: string,
): { status: OverallStatus; reason: string } {
  if (engineProblem) return { status: 'unknown', reason: engineProblem };
  const longRunning = services.filter((s) => !specs.get(s.service)?.oneShot);
  if (longRunning.length === 0) return { status: 'stopped', reason: 'The stack is not installed.' };
  // Nothing running and nothing crashed: stopped on purpose (a stop ends in 0, 143 or, after the
  // grace period, 137 without an OOM kill).
  const cleanExit = (s: ServiceHealth): boolean =>
    !s.oomKilled && (s.exitCode === null || [0, 137, 143].includes(s.exitCode));
  const notRunning = (s: ServiceHealth): boolean =>
    ['missing', 'created', 'exited'].includes(s.state);
  if (longRunning.every(notRunning) && longRunning.every(cleanExit)) {
    return { status: 'stopped', reason: 'Every service is stopped.' };
  }
  const deepFailed = (s: ServiceHealth): boolean =>
    isUp(s, specs.get(s.service)) && s.deepCheck?.ok === false;
  const troubled = services.filter(
    (s) => (!isUp(s, specs.get(s.service)) && s.state !== 'starting') || deepFailed(s),
  );
  const starting = services.filter((s) => s.state === 'starting');
  if (troubled.length === 0 && starting.length === 0)
    return { status: 'healthy', reason: 'Every service is healthy.' };
  const describe = (s: ServiceHealth): string => {
    if (deepFailed(s)) return `${s.service} fails its deep check (${s.deepCheck?.output ?? ''})`;
    if (s.oomKilled) return `${s.service} ran out of memory`;
    if (s.state === 'exited')
      return `${s.service} exited${s.exitCode !== null ? ` with code ${s.exitCode}` : ''}`;
    return `${s.service} is ${s.state}`;
  };
  const up = longRunning.filter((s) => isUp(s, specs.get(s.service)) && !deepFailed(s));
  const problems = [...troubled.map(describe), ...starting.map((s) => `${s.service} is starting`)];
  return {
    status: up.length === 0 && troubled.length > 0 ? 'down' : 'degraded',
    reason: `${problems.join('; ')}.`,
  };
}
