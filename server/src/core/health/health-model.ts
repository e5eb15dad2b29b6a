import type {
  AffectedServices,
  OverallStatus,
  ServiceHealth,
  ServiceState,
} from '../../contract/health.js';
import type { ContainerDetails, StackEngineEvent } from '../stack/stack-gateway.js';
import { affectedServices } from './service-graph.js';

/** What the model knows of each planned service; `oneShot` jobs (migrations) may be exited. */
export interface ServiceSpec {
  name: string;
  oneShot: boolean;
  hasHealthcheck: boolean;
  /** The services it waits for (compose's `depends_on`); none when not given. */
  dependsOn?: readonly string[];
  /** MediaNest cannot work without it (see `essentialServices`). */
  essential?: boolean;
}

/** What a service's health says of its plan, whatever its state. */
const planFlags = (spec: ServiceSpec): Pick<ServiceHealth, 'oneShot' | 'essential'> => ({
  oneShot: spec.oneShot,
  essential: spec.essential ?? false,
});

/** A service with no container: never created, or removed. */
const missing = (spec: ServiceSpec, service = spec.name): ServiceHealth => ({
  service,
  state: 'missing',
  lastCheck: null,
  restarts: 0,
  startedAt: null,
  exitCode: null,
  oomKilled: false,
  ...planFlags(spec),
});

export function stateFromDetails(
  spec: ServiceSpec,
  details: ContainerDetails | undefined,
): ServiceHealth {
  if (!details) return missing(spec);
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
    ...planFlags(spec),
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
      return missing(spec, current.service);
  }
}

/** Stopped by a stop (0, or 143 for SIGTERM), not crashed, killed or out of memory. */
const stoppedCleanly = (s: ServiceHealth): boolean =>
  s.state === 'exited' && !s.oomKilled && (s.exitCode === 0 || s.exitCode === 143);

const isUp = (s: ServiceHealth, spec: ServiceSpec | undefined): boolean =>
  spec?.oneShot
    ? s.state === 'exited' && s.exitCode === 0
    : s.state === 'healthy' || (s.state === 'running' && !spec?.hasHealthcheck);

/**
 * Still on its way: a long-running service inside its start period, or a one-shot job not done
 * yet (created while it waits for what it needs, or running).
 */
const isUnderWay = (s: ServiceHealth, spec: ServiceSpec | undefined): boolean =>
  spec?.oneShot ? ['created', 'starting', 'running'].includes(s.state) : s.state === 'starting';

/**
 * Whether a service is in trouble, deep checks aside. A one-shot job is only when it failed (a
 * missing one, e.g. removed after it ran, says nothing).
 */
const isTroubled = (s: ServiceHealth, spec: ServiceSpec | undefined): boolean => {
  if (isUp(s, spec) || isUnderWay(s, spec)) return false;
  return !(spec?.oneShot && s.state === 'missing');
};

/** The services of a plan affected by those in trouble now (by the plan's dependencies). */
export function affectedNow(
  services: readonly ServiceHealth[],
  specs: ReadonlyMap<string, ServiceSpec>,
): AffectedServices {
  const down = new Set(
    services.filter((s) => isTroubled(s, specs.get(s.service))).map((s) => s.service),
  );
  const nodes = [...specs.values()].map((s) => ({ name: s.name, dependsOn: s.dependsOn ?? [] }));
  return affectedServices(nodes, down);
}

function describe(s: ServiceHealth, deepFailed: boolean, spec: ServiceSpec | undefined): string {
  if (deepFailed) return `${s.service} fails its deep check (${s.deepCheck?.output ?? ''})`;
  if (s.oomKilled) return `${s.service} ran out of memory`;
  if (spec?.oneShot && isUnderWay(s, spec)) return `${s.service} is running`;
  if (stoppedCleanly(s)) return `${s.service} is stopped`;
  if (s.state === 'exited')
    return `${s.service} exited${s.exitCode !== null ? ` with code ${s.exitCode}` : ''}`;
  if (s.state === 'created') return `${s.service} has not started`;
  return `${s.service} is ${s.state}`;
}

/**
 * One status for the stack: healthy (everything up), degraded (something beside MediaNest is not
 * up, or a deep check fails), down (a service MediaNest cannot work without is not up, or none of
 * the long-running ones is), stopped (everything stopped on purpose or not created), unknown (the
 * engine cannot be asked). The reason names the services in trouble.
 */
export function overallStatus(
  services: ServiceHealth[],
  specs: ReadonlyMap<string, ServiceSpec>,
  engineProblem?: string,
): { status: OverallStatus; reason: string } {
  if (engineProblem) return { status: 'unknown', reason: engineProblem };
  const specOf = (s: ServiceHealth): ServiceSpec | undefined => specs.get(s.service);
  const longRunning = services.filter((s) => !specOf(s)?.oneShot);
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
  const troubled = services.filter((s) => isTroubled(s, specOf(s)));
  // A deep check that fails because a service it needs is down (the backend without Redis) says
  // the same thing again: one cause, told once.
  const affected = affectedNow(services, specs);
  const deepFailed = (s: ServiceHealth): boolean =>
    isUp(s, specOf(s)) && s.deepCheck?.ok === false && affected[s.service] === undefined;
  const deep = services.filter(deepFailed);
  const underWay = services.filter((s) => isUnderWay(s, specOf(s)));
  if (troubled.length === 0 && deep.length === 0 && underWay.length === 0)
    return { status: 'healthy', reason: 'Every service is healthy.' };
  const up = longRunning.filter((s) => isUp(s, specOf(s)) && !deepFailed(s));
  const problems = [
    ...services
      .filter((s) => troubled.includes(s) || deep.includes(s))
      .map((s) => describe(s, deepFailed(s), specOf(s))),
    ...underWay.map((s) =>
      specOf(s)?.oneShot ? describe(s, false, specOf(s)) : `${s.service} is starting`,
    ),
  ];
  const essentialDown = troubled.some((s) => specOf(s)?.essential);
  return {
    status: essentialDown || (up.length === 0 && troubled.length > 0) ? 'down' : 'degraded',
    reason: `${problems.join('; ')}.`,
  };
}
