import { createHash } from 'node:crypto';
import { AppError } from '../../app-error.js';
import { secretsOf, type SecretName } from '../../secrets/catalogue.js';
import { memoryBytes, ServiceSchema } from '../compose-model.js';
import type { ServiceName } from '../../stack-names.js';
import type { StackConfig } from '../config.js';
import { isMap, type YamlMap, type YamlValue } from './templates.js';

/** A folder under the data folder that must exist, owned by the user a container runs as. */
export interface DataDir {
  /** Absolute. */
  path: string;
  uid: number;
  gid: number;
  mode: number;
}

/**
 * A per-service copy of a canonical secret: `<stackDir>/secrets/by-service/<service>/<name>`,
 * mounted at /run/secrets/<name>, which must be owned by uid:gid with mode 0400 (the container
 * user, who is rarely the app's user).
 */
export interface SecretCopy {
  service: ServiceName;
  name: SecretName;
  uid: number;
  gid: number;
  /** Absolute path of the copy. */
  path: string;
}

/** A rendered file under the stack folder. */
export interface RenderedFile {
  /** Relative to the stack folder, POSIX separators. */
  path: string;
  content: string;
  mode: number;
}

const KNOWN_KEYS = new Set<string>(Object.keys(ServiceSchema.shape));

export const LABEL_PREFIX = 'org.medianest.appliance';

export interface ServiceContext {
  name: ServiceName;
  config: StackConfig;
  stackDir: string;
  /** "core" or the profile whose fragment introduced the service. */
  origin: string;
  files: readonly RenderedFile[];
}

export interface FinishedService {
  service: YamlMap;
  dataDirs: DataDir[];
  secretCopies: SecretCopy[];
}

/** A scalar template value as text; a map or list where a scalar belongs is a template bug. */
function scalar(value: YamlValue | undefined, where: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') throw new AppError('internal', `${where} must be a plain value.`);
  return String(value);
}

function ids(owner: YamlValue | undefined, where: string): { uid: number; gid: number } {
  const match = typeof owner === 'string' ? /^(\d+)(?::(\d+))?$/.exec(owner) : null;
  if (!match)
    throw new AppError('internal', `The compose template gives ${where} no numeric owner.`);
  return { uid: Number(match[1]), gid: Number(match[2] ?? match[1]) };
}

/**
 * The user's limits over the template's; a reservation above its new limit is lowered to it.
 * Returns the service's final memory limit, which PostgreSQL's and Redis's tuning follow.
 */
export function applyResourceOverride(
  service: YamlMap,
  name: ServiceName,
  config: StackConfig,
): string | undefined {
  const deploy = service['deploy'];
  const resources = isMap(deploy) ? deploy['resources'] : undefined;
  if (!isMap(resources)) return undefined;
  const where = `services.${name}.deploy`;
  const limits = isMap(resources['limits']) ? { ...resources['limits'] } : {};
  const reservations = isMap(resources['reservations']) ? { ...resources['reservations'] } : {};
  const override = config.resources[name] ?? {};
  if (override.cpus !== undefined) {
    limits['cpus'] = override.cpus;
    if (Number(scalar(reservations['cpus'], where)) > Number(override.cpus)) {
      reservations['cpus'] = override.cpus;
    }
  }
  if (override.memory !== undefined) {
    limits['memory'] = override.memory;
    const reserved = memoryBytes(scalar(reservations['memory'], where)) ?? 0;
    if (reserved > (memoryBytes(override.memory) ?? 0)) reservations['memory'] = override.memory;
  }
  resources['limits'] = limits;
  resources['reservations'] = reservations;
  return scalar(limits['memory'], where) || undefined;
}

/** SHA-256 over the rendered files a service mounts, so a changed file changes the definition. */
function mountedFilesHash(volumes: YamlValue[], ctx: ServiceContext): string | undefined {
  const sources = volumes.flatMap((v) =>
    isMap(v) && typeof v['source'] === 'string' ? [v['source']] : [],
  );
  const mounted = ctx.files.filter((file) => {
    const absolute = `${ctx.stackDir}/${file.path}`;
    return sources.some((source) => absolute === source || absolute.startsWith(`${source}/`));
  });
  if (mounted.length === 0) return undefined;
  const hash = createHash('sha256');
  for (const file of mounted) hash.update(`${file.path}\0${file.mode}\0${file.content}\0`);
  return hash.digest('hex');
}

/**
 * Turns a merged, token-filled template service into its final compose form: defaults filled in,
 * data folders mounted, secrets mounted from the catalogue, labels added.
 */
export function finishService(
  raw: YamlMap,
  defaults: YamlMap,
  ctx: ServiceContext,
): FinishedService {
  const { name, config, stackDir } = ctx;
  const service: YamlMap = { ...structuredClone(defaults), ...raw };

  const dataDirs: DataDir[] = [];
  const dataVolumes: YamlValue[] = [];
  const declared = service['x-data-dirs'];
  for (const entry of Array.isArray(declared) ? declared : []) {
    if (!isMap(entry) || typeof entry['path'] !== 'string') {
      throw new AppError('internal', `services.${name}.x-data-dirs: each entry needs a path.`);
    }
    const { uid, gid } = ids(entry['owner'], `services.${name}.x-data-dirs`);
    dataDirs.push({
      path: entry['path'],
      uid,
      gid,
      mode: parseInt(scalar(entry['mode'], `services.${name}.x-data-dirs`) || '0750', 8),
    });
    if (typeof entry['target'] === 'string') {
      dataVolumes.push({ type: 'bind', source: entry['path'], target: entry['target'] });
    }
  }
  const volumes = [
    ...dataVolumes,
    ...(Array.isArray(service['volumes']) ? service['volumes'] : []),
  ];
  if (volumes.length > 0) service['volumes'] = volumes;

  const owner = ids(service['user'] ?? '0:0', `services.${name}.user`);
  const secretCopies = secretsOf(name, config.profiles).map((secret) => ({
    service: name,
    name: secret,
    ...owner,
    path: `${stackDir}/secrets/by-service/${name}/${secret}`,
  }));
  if (secretCopies.length > 0) {
    service['secrets'] = secretCopies.map((copy) => ({
      source: `${name}_${copy.name}`,
      target: copy.name,
    }));
  }

  const labels: YamlMap = {
    ...(isMap(service['labels']) ? service['labels'] : {}),
    [`${LABEL_PREFIX}.service`]: name,
    [`${LABEL_PREFIX}.environment`]: config.environment,
    [`${LABEL_PREFIX}.profile`]: ctx.origin,
  };
  const filesHash = mountedFilesHash(volumes, ctx);
  if (filesHash) labels[`${LABEL_PREFIX}.files-hash`] = filesHash;
  service['labels'] = labels;

  for (const key of ['environment', 'labels']) {
    const map = service[key];
    if (isMap(map))
      service[key] = Object.fromEntries(
        Object.entries(map).map(([k, v]) => [k, scalar(v, `services.${name}.${key}.${k}`)]),
      );
  }
  return { service: withoutExtensions(service, name), dataDirs, secretCopies };
}

/** The service without its x- keys; a key the compose model does not know is a template bug. */
function withoutExtensions(service: YamlMap, name: string): YamlMap {
  const result: YamlMap = {};
  for (const [key, value] of Object.entries(service)) {
    if (key.startsWith('x-')) continue;
    if (!KNOWN_KEYS.has(key)) {
      throw new AppError(
        'internal',
        `services.${name}.${key} is not a key the compose model knows.`,
      );
    }
    result[key] = value;
  }
  return result;
}
