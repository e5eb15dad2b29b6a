import { createHash } from 'node:crypto';
import { isAbsolute, join } from 'node:path';
import { AppError } from '../app-error.js';
import {
  durationMs,
  type ComposeFile,
  type DependencyCondition,
  type Service,
} from './compose-model.js';

/** The app's own labels, beside compose's. */
export const LABEL_MANAGED = 'org.medianest.appliance.managed';
export const LABEL_SERVICE = 'com.docker.compose.service';
export const LABEL_PROJECT = 'com.docker.compose.project';
export const LABEL_CONFIG_HASH = 'com.docker.compose.config-hash';
/**
 * `running` on a service whose healthcheck reports something that may take long or need the
 * internet (certbot: "the certificate exists"): a start waits for it to run, not to be healthy;
 * its health is still watched and shown.
 */
export const LABEL_READY_WHEN = 'org.medianest.appliance.ready-when';

export interface DesiredNetwork {
  /** The name in the compose file, e.g. "backend". */
  name: string;
  /** The engine's name, as compose names it: "<project>_<name>". */
  engineName: string;
  internal: boolean;
  labels: Record<string, string>;
}

export interface DesiredService {
  name: string;
  containerName: string;
  definition: Service;
  /** Changes whenever anything the container is created from changes, files it mounts included. */
  configHash: string;
  labels: Record<string, string>;
  dependsOn: Array<{ service: string; condition: DependencyCondition }>;
  /** A job that runs to completion (restart "no"), such as the migrations. */
  oneShot: boolean;
  graceSeconds: number;
  /** How long a healthcheck may take to report healthy before the service is declared failed. */
  healthBudgetMs: number | undefined;
  networks: Array<{ engineName: string; aliases: string[] }>;
  /** Host file -> /run/secrets/<target>. */
  secretMounts: Array<{ source: string; target: string }>;
}

export interface StackPlan {
  project: string;
  composeFile: string;
  workingDir: string;
  networks: DesiredNetwork[];
  /** In dependency order: every service comes after everything it depends on. */
  services: DesiredService[];
}

export interface PlanOptions {
  project: string;
  composeFile: string;
  workingDir: string;
  /** SHA-256 of the files the services mount (configs, shims, secret copies), by absolute path. */
  fileHashes: ReadonlyMap<string, string>;
}

/** JSON with sorted keys, so equal definitions always hash equally. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Services sorted so that dependencies come first; a cycle or an unknown dependency is refused. */
export function dependencyOrder(services: Record<string, Service>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      throw new AppError(
        'validation_failed',
        `services: dependency cycle ${[...path, name].join(' -> ')}`,
      );
    }
    const service = services[name];
    if (!service) {
      throw new AppError(
        'validation_failed',
        `services.${path.at(-1) ?? '?'}.depends_on: unknown service "${name}"`,
      );
    }
    state.set(name, 'visiting');
    for (const dep of Object.keys(service.depends_on ?? {}).sort()) visit(dep, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of Object.keys(services).sort()) visit(name, []);
  return order;
}

function healthBudget(service: Service): number | undefined {
  const hc = service.healthcheck;
  if (!hc || hc.test[0] === 'NONE') return undefined;
  const interval = durationMs(hc.interval);
  const timeout = durationMs(hc.timeout);
  // Docker declares "unhealthy" after `retries` failures past the start period; allow one more round.
  return durationMs(hc.start_period) + (interval + timeout) * (hc.retries + 1);
}

/** The desired state of the stack, engine-agnostic: what should exist, and in which order. */
export function planStack(compose: ComposeFile, options: PlanOptions): StackPlan {
  const { project } = options;
  const networks: DesiredNetwork[] = Object.entries(compose.networks)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, net]) => ({
      name,
      engineName: `${project}_${name}`,
      internal: net.internal ?? false,
      labels: {
        ...net.labels,
        [LABEL_PROJECT]: project,
        'com.docker.compose.network': name,
        [LABEL_MANAGED]: 'true',
      },
    }));
  const networkNames = new Map(networks.map((n) => [n.name, n.engineName]));
  const secretFiles = compose.secrets ?? {};

  const services = dependencyOrder(compose.services).map((name): DesiredService => {
    const definition = compose.services[name] as Service;
    const secretMounts = (definition.secrets ?? []).map(({ source, target }) => {
      const file = secretFiles[source]?.file;
      if (!file)
        throw new AppError(
          'validation_failed',
          `services.${name}.secrets: unknown secret "${source}"`,
        );
      return {
        source: isAbsolute(file) ? file : join(options.workingDir, file),
        target: `/run/secrets/${target}`,
      };
    });
    const serviceNetworks = Object.entries(definition.networks).map(([net, opts]) => {
      const engineName = networkNames.get(net);
      if (!engineName)
        throw new AppError(
          'validation_failed',
          `services.${name}.networks: unknown network "${net}"`,
        );
      return { engineName, aliases: [...new Set([name, ...(opts.aliases ?? [])])] };
    });
    const mounted = [
      ...(definition.volumes ?? []).map((v) => v.source),
      ...secretMounts.map((s) => s.source),
    ];
    const fileHashes = Object.fromEntries(
      mounted.flatMap((p) => (options.fileHashes.has(p) ? [[p, options.fileHashes.get(p)]] : [])),
    );
    const configHash = createHash('sha256')
      .update(canonical({ definition, secretMounts, fileHashes }))
      .digest('hex');
    return {
      name,
      containerName: `${project}-${name}-1`,
      definition,
      configHash,
      labels: {
        ...definition.labels,
        [LABEL_PROJECT]: project,
        [LABEL_SERVICE]: name,
        'com.docker.compose.container-number': '1',
        'com.docker.compose.oneoff': 'False',
        [LABEL_CONFIG_HASH]: configHash,
        'com.docker.compose.project.config_files': options.composeFile,
        'com.docker.compose.project.working_dir': options.workingDir,
        'com.docker.compose.version': '1.29.2',
        [LABEL_MANAGED]: 'true',
      },
      dependsOn: Object.entries(definition.depends_on ?? {}).map(([service, { condition }]) => ({
        service,
        condition,
      })),
      oneShot: definition.restart === 'no',
      graceSeconds: Math.max(
        1,
        Math.ceil(durationMs(definition.stop_grace_period ?? '10s') / 1000),
      ),
      healthBudgetMs:
        definition.labels?.[LABEL_READY_WHEN] === 'running' ? undefined : healthBudget(definition),
      networks: serviceNetworks,
      secretMounts,
    };
  });
  return {
    project,
    composeFile: options.composeFile,
    workingDir: options.workingDir,
    networks,
    services,
  };
}
