import type { DockerInstallPlan } from '../../contract/docker-setup.js';
import type { DoctorReport } from '../../contract/doctor.js';
import type { DockerGatewayFactory, EngineFailureReason } from '../docker-gateway.js';
import { discoverEngines } from './discovery.js';
import { checkEngine } from './engine-checks.js';
import { checkDisk, checkMemory, checkPort } from './host-checks.js';
import { installPlan, type HostOs } from './install-plan.js';
import type { DiscoveryContext, HostProbe } from './host-probe.js';

export interface DoctorOptions {
  dataDir: string;
  httpPort: number;
  httpsPort: number;
  /** Host ports this home's stack publishes, with the service that does: MediaNest's own. */
  ownPorts?: ReadonlyMap<number, string>;
}

export interface DoctorDeps {
  discovery: DiscoveryContext;
  probe: HostProbe;
  connect: DockerGatewayFactory;
  now: () => Date;
  /** The OS, distribution and user, for the install plan shown when no engine answers. */
  describeHost?: () => HostOs;
}

const withPlan = (plan: DockerInstallPlan | undefined) => (plan ? { installPlan: plan } : {});

/** The preflight a home user needs before installing: engine, ports, disk and memory. */
export async function runDoctor(deps: DoctorDeps, options: DoctorOptions): Promise<DoctorReport> {
  const { candidates, notes } = discoverEngines(deps.discovery);
  let host: HostOs | undefined;
  const hostOf = () => (host ??= deps.describeHost?.());
  const planFor = (failure?: EngineFailureReason): DockerInstallPlan | undefined => {
    const described = hostOf();
    if (!described) return undefined;
    return installPlan(described, failure === 'permission-denied' ? 'no-access' : 'no-engine');
  };
  const planOf = () => planFor();
  const [engineResult, http, https, disk] = await Promise.all([
    checkEngine(candidates, deps.connect, deps.discovery.platform, planOf),
    checkPort(deps.probe, options.httpPort, 'http', options.ownPorts?.get(options.httpPort)),
    checkPort(deps.probe, options.httpsPort, 'https', options.ownPorts?.get(options.httpsPort)),
    checkDisk(deps.probe, options.dataDir),
  ]);
  const engineChecks = engineResult.checks;
  const found = engineChecks[0];
  if (found && notes.length > 0) {
    found.summary = `${found.summary} ${notes.join(' ')}`;
  }
  const checks = [
    ...engineChecks,
    http,
    https,
    disk,
    checkMemory(deps.probe, engineResult.engine?.memoryBytes),
  ];
  return {
    ready: checks.every((check) => check.status !== 'fail'),
    checkedAt: deps.now().toISOString(),
    engine: engineResult.engine,
    checks,
    // Only without a working engine: with one, there is nothing to install.
    ...(engineResult.engine?.reachable ? {} : withPlan(planFor(engineResult.failure))),
  };
}
