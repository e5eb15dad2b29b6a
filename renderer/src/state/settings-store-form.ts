import { ApiError } from '@contract';

/**
 * The stack settings as the wizard and the settings page edit them: plain strings and choices,
 * turned into the `changes` the server validates. The server is the one judge of every value; the
 * only checks made here are the ones it cannot make (the images text must be a map at all).
 */
export interface SettingsFormValues {
  environment: 'prod' | 'dev' | 'test';
  profiles: Profile[];
  /** Local only (no domain, plain HTTP on this computer) or a domain name. */
  access: 'local' | 'domain';
  domain: string;
  email: string;
  httpPort: string;
  httpsPort: string;
  dataDir: string;
  imageSource: 'official' | 'custom';
  /** A map from service to image reference: JSON, or one `service: reference` per line. */
  images: string;
  pullPolicy: 'missing' | 'always' | 'never';
  plexClientId: string;
  plexClientSecret: string;
  /** Per service: CPU and memory limits, as typed ("" = the template's default). */
  resources: Record<string, { cpus: string; memory: string }>;
}

export type Profile = 'tls' | 'monitoring' | 'devtools';

/** Field name (as the server names it: `httpPort`, `images.backend`, `plex.clientId`) -> message. */
export type FieldErrors = Record<string, string>;

/** Services whose limits the settings page offers (the others keep their templates' limits). */
export const RESOURCE_SERVICES = ['postgres', 'redis', 'backend', 'frontend', 'nginx'] as const;

export const EMPTY_FORM: SettingsFormValues = {
  environment: 'prod',
  profiles: [],
  access: 'local',
  domain: '',
  email: '',
  httpPort: '80',
  httpsPort: '443',
  dataDir: '',
  imageSource: 'official',
  images: '',
  pullPolicy: 'missing',
  plexClientId: '',
  plexClientSecret: '',
  resources: {},
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads the images text: JSON (`{"backend": "…"}`) or YAML-like `service: reference` lines. */
export function parseImagesText(text: string): Record<string, string> | string {
  const trimmed = text.trim();
  if (trimmed === '') return 'must name at least one service and its image';
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (!isRecord(parsed)) return 'must be a map from service name to image reference';
      return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
    } catch (error) {
      return `is not valid JSON (${(error as Error).message})`;
    }
  }
  const images: Record<string, string> = {};
  for (const [index, raw] of trimmed.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([^:=\s]+)\s*[:=]\s*(.+)$/.exec(line);
    if (!match?.[1] || !match[2]) {
      return `line ${index + 1} must read "service: image reference"`;
    }
    images[match[1]] = match[2].trim().replace(/^["']|["']$/g, '');
  }
  return images;
}

/** A port as typed: a number when it is digits, else the text (the server names the problem). */
const port = (value: string): number | string =>
  /^[0-9]{1,5}$/.test(value.trim()) ? Number(value.trim()) : value.trim();

/**
 * The changes these values ask for. `plex` only when typed (its values are secrets the server
 * never shows back); `resources` only for the limits typed. With `clear` (changing stored settings),
 * going back to local only sends `domain: null` and `email: null`, which the server clears.
 */
export function toChanges(
  values: SettingsFormValues,
  { clear = false }: { clear?: boolean } = {},
): {
  changes: Record<string, unknown>;
  errors: FieldErrors;
} {
  const errors: FieldErrors = {};
  const changes: Record<string, unknown> = {
    environment: values.environment,
    profiles:
      values.access === 'local' ? values.profiles.filter((p) => p !== 'tls') : values.profiles,
    httpPort: port(values.httpPort),
    httpsPort: port(values.httpsPort),
    pullPolicy: values.pullPolicy,
  };
  if (values.dataDir.trim() !== '') changes.dataDir = values.dataDir.trim();
  if (values.access === 'domain') {
    changes.domain = values.domain.trim();
    if (values.email.trim() !== '') changes.email = values.email.trim();
    else if (clear) changes.email = null;
  } else if (clear) {
    changes.domain = null;
    changes.email = null;
  }
  if (values.imageSource === 'custom') {
    const images = parseImagesText(values.images);
    if (typeof images === 'string') errors.images = images;
    else changes.images = images;
  } else {
    changes.images = {};
  }
  const plex: Record<string, string> = {};
  if (values.plexClientId !== '') plex.clientId = values.plexClientId;
  if (values.plexClientSecret !== '') plex.clientSecret = values.plexClientSecret;
  if (Object.keys(plex).length > 0) changes.plex = plex;
  const resources: Record<string, Record<string, string>> = {};
  for (const [service, limits] of Object.entries(values.resources)) {
    const typed = Object.fromEntries(
      Object.entries(limits).filter(([, value]) => value.trim() !== ''),
    );
    if (Object.keys(typed).length > 0) resources[service] = typed;
  }
  changes.resources = resources;
  return { changes, errors };
}

const text = (value: unknown, fallback = ''): string =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : fallback;

/** The form for stored settings (`GET /api/settings`); Plex values stay empty (secrets). */
export function fromSettings(stored: Record<string, unknown>): SettingsFormValues {
  const images = isRecord(stored.images) ? stored.images : {};
  const resources = isRecord(stored.resources) ? stored.resources : {};
  const environment = text(stored.environment, 'prod');
  const pullPolicy = text(stored.pullPolicy, 'missing');
  return {
    ...EMPTY_FORM,
    environment: (['prod', 'dev', 'test'].includes(environment)
      ? environment
      : 'prod') as SettingsFormValues['environment'],
    profiles: (Array.isArray(stored.profiles) ? stored.profiles : []).filter(
      (p): p is Profile => p === 'tls' || p === 'monitoring' || p === 'devtools',
    ),
    access: typeof stored.domain === 'string' ? 'domain' : 'local',
    domain: text(stored.domain),
    email: text(stored.email),
    httpPort: text(stored.httpPort, '80'),
    httpsPort: text(stored.httpsPort, '443'),
    dataDir: text(stored.dataDir),
    imageSource: Object.keys(images).length > 0 ? 'custom' : 'official',
    images: Object.entries(images)
      .map(([service, ref]) => `${service}: ${text(ref)}`)
      .join('\n'),
    pullPolicy: (['missing', 'always', 'never'].includes(pullPolicy)
      ? pullPolicy
      : 'missing') as SettingsFormValues['pullPolicy'],
    resources: Object.fromEntries(
      Object.entries(resources).map(([service, limits]) => [
        service,
        {
          cpus: text(isRecord(limits) ? limits.cpus : undefined),
          memory: text(isRecord(limits) ? limits.memory : undefined),
        },
      ]),
    ),
  };
}

/** The per-field messages of a refused request (422), or undefined for any other failure. */
export function fieldErrorsOf(error: unknown): FieldErrors | undefined {
  if (!(error instanceof ApiError) || error.code !== 'validation_failed') return undefined;
  const fields = error.details?.fields;
  const field = error.details?.field;
  // One field named on its own (`{ field }`): its message is the text after "<field>: ".
  if (typeof field === 'string') {
    return { [field]: error.message.replace(new RegExp(`^${field}: `), '') };
  }
  if (!isRecord(fields)) return { '(config)': error.message };
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, text(v)]));
}

/** The message for one form field: its own, or the first of its sub-fields (`images.backend`). */
export function errorFor(errors: FieldErrors, field: string): string | undefined {
  if (errors[field]) return errors[field];
  const prefix = `${field}.`;
  const nested = Object.entries(errors).find(([key]) => key.startsWith(prefix));
  return nested ? `${nested[0].slice(prefix.length)}: ${nested[1]}` : undefined;
}
