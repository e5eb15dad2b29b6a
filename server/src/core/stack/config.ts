import { posix } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AppError } from '../app-error.js';
import { PROFILES, SERVICE_NAMES, type Profile, type ServiceName } from '../stack-names.js';
import { memoryBytes } from './compose-model.js';
import { messageOf } from '../../contract/errors.js';

/**
 * Everything a user can set about the stack (`init` flags, the wizard), validated. Every value that
 * later reaches YAML, a shell script or nginx configuration is checked here against a strict
 * character set, so newlines, quotes, `$`, backquotes, `;` and spaces never get that far; render
 * then emits YAML through the yaml library, never by string concatenation.
 */

export const ENVIRONMENTS = ['prod', 'dev', 'test'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const PULL_POLICIES = ['missing', 'always', 'never'] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

/** The real images (reference/medianest-stack.md §5); migrate runs the backend's image. */
export const DEFAULT_IMAGES: Readonly<Record<Exclude<ServiceName, 'migrate'>, string>> = {
  postgres: 'postgres:16-alpine',
  redis: 'redis:7-alpine',
  backend: 'medianest/backend:latest',
  frontend: 'medianest/frontend:latest',
  nginx: 'nginx:1.25-alpine',
  certbot: 'certbot/certbot:latest',
  prometheus: 'prom/prometheus:latest',
  grafana: 'grafana/grafana:latest',
  pgadmin: 'dpage/pgadmin4:latest',
  'redis-commander': 'rediscommander/redis-commander:latest',
  mailhog: 'mailhog/mailhog:latest',
};

// ------------------------------------------------------------------ value rules

/** Each rule returns undefined when the value is fine, else the rule it breaks ("<field>: <rule>"). */
type Rule = (value: string) => string | undefined;

const CONTROL = /\p{Cc}/u;

function forbiddenCharacter(value: string, allowed: RegExp): string | undefined {
  if (CONTROL.test(value)) return 'must not contain newlines or other control characters';
  for (const char of value) {
    if (!allowed.test(char)) {
      return char === ' ' ? 'must not contain spaces' : `must not contain ${JSON.stringify(char)}`;
    }
  }
  return undefined;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A DNS hostname per RFC 1123, at least two labels, lowercase, no scheme, port, path or trailing dot. */
export const hostnameRule: Rule = (value) => {
  if (value.length === 0) return 'must not be empty';
  if (value.includes('://')) return 'must be a bare hostname, without a scheme such as https://';
  if (value.includes('/')) return 'must be a bare hostname, without a path';
  if (value.includes(':')) return 'must be a bare hostname, without a port';
  if (/[A-Z]/.test(value)) return 'must be lowercase';
  const bad = forbiddenCharacter(value, /[a-z0-9.-]/);
  if (bad) return bad;
  if (value.length > 253) return 'must be at most 253 characters long';
  const labels = value.split('.');
  if (labels.length < 2) return 'must be a fully qualified name such as media.example.org';
  if (!labels.every((label) => LABEL.test(label))) {
    return 'each dot-separated part must be 1-63 letters, digits or hyphens, not starting or ending with a hyphen';
  }
  if (/^[0-9]+$/.test(labels.at(-1) ?? '')) return 'must be a hostname, not an IP address';
  return undefined;
};

/** A plain address, local@hostname, with nothing a shell or YAML could misread. */
export const emailRule: Rule = (value) => {
  if (value.length === 0) return 'must not be empty';
  const bad = forbiddenCharacter(value, /[A-Za-z0-9.@_+-]/);
  if (bad) return bad;
  const at = value.indexOf('@');
  if (at <= 0 || at !== value.lastIndexOf('@'))
    return 'must be one address such as admin@example.org';
  const local = value.slice(0, at);
  if (local.length > 64 || /^\.|\.$|\.\./.test(local)) {
    return 'the part before @ must be 1-64 characters with no leading, trailing or double dot';
  }
  const domain = hostnameRule(value.slice(at + 1).toLowerCase());
  return domain ? `the part after @ ${domain}` : undefined;
};

/**
 * An absolute POSIX folder. It becomes a bind-mount source, so no `$` (compose interpolation), `:`
 * or `,` (mount syntax), quotes, backslashes or control characters; trailing slashes are dropped.
 */
export const absolutePathRule: Rule = (value) => {
  if (!value.startsWith('/')) return 'must be an absolute path starting with /';
  const bad = forbiddenCharacter(value, /[A-Za-z0-9/._@+ -]/);
  if (bad) return bad;
  if (value.length > 1024) return 'must be at most 1024 characters long';
  const trimmed = trimSlashes(value);
  if (trimmed === '/') return 'must not be the root folder';
  if (posix.normalize(trimmed) !== trimmed) {
    return 'must be a normalised path (no "..", "." or repeated slashes)';
  }
  return undefined;
};

const trimSlashes = (path: string): string => path.replace(/(.)\/+$/, '$1');

// Docker's reference grammar (distribution/reference): [domain[:port]/]path[:tag][@digest].
const DOMAIN_PART = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const PATH_PART = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REFERENCE = new RegExp(
  `^(?:${DOMAIN_PART}(?:\\.${DOMAIN_PART})*(?::[0-9]+)?/)?${PATH_PART}(?:/${PATH_PART})*` +
    '(?::\\w[\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$',
);

/** An image reference such as postgres:16-alpine or registry.local:5000/team/backend:1.2. */
export const imageReferenceRule: Rule = (value) => {
  if (value.length === 0) return 'must not be empty';
  const bad = forbiddenCharacter(value, /[A-Za-z0-9._:/@+-]/);
  if (bad) return bad;
  if (value.length > 255) return 'must be at most 255 characters long';
  return REFERENCE.test(value)
    ? undefined
    : 'must be an image reference such as postgres:16-alpine or registry.local:5000/team/app:1.0';
};

/** A value typed for a third-party service (Plex client id and secret): one printable line. */
export const plainValueRule: Rule = (value) => {
  if (value.trim().length === 0) return 'must not be empty';
  if (value.length > 256) return 'must be at most 256 characters long';
  if (CONTROL.test(value)) return 'must not contain newlines or other control characters';
  return value === value.trim() ? undefined : 'must not start or end with spaces';
};

const memoryRule: Rule = (value) => {
  const bytes = memoryBytes(value);
  if (bytes === undefined)
    return 'must be a whole number with an optional unit k, m or g, such as 512m';
  if (bytes < 6 * 1024 ** 2) return 'must be at least 6m (Docker refuses less)';
  return bytes > 1024 ** 4 ? 'must be at most 1024g' : undefined;
};

// ------------------------------------------------------------------ the schema

/** A string field checked by `rule`; the rule's wording becomes the issue's message. */
const ruled = (rule: Rule) =>
  z.string({ error: 'must be a string' }).check((ctx) => {
    const problem = rule(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  });

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });

const PORT_RULE = 'must be a whole number from 1 to 65535';

/** A TCP port; CLI flags arrive as strings. */
const PortSchema = z
  .union(
    [
      z.number(),
      z
        .string()
        .regex(/^[0-9]{1,5}$/)
        .transform(Number),
    ],
    {
      error: PORT_RULE,
    },
  )
  .pipe(z.int({ error: PORT_RULE }).min(1, { error: PORT_RULE }).max(65535, { error: PORT_RULE }));

const ServiceNameSchema = z.enum(SERVICE_NAMES);

/** Limits only: reservations follow the templates and are lowered to the limit when above it. */
export interface ResourceOverride {
  cpus?: string;
  memory?: string;
}

const CPU_RULE = 'must be a number of CPUs from 0.01 to 1024';

const ResourceOverrideSchema = z
  .strictObject({
    cpus: z
      .union(
        [
          z.number(),
          z
            .string()
            .regex(/^[0-9]+(\.[0-9]+)?$/)
            .transform(Number),
        ],
        { error: CPU_RULE },
      )
      .pipe(z.number().min(0.01, { error: CPU_RULE }).max(1024, { error: CPU_RULE }))
      .transform((cpus) => String(Math.round(cpus * 100) / 100)),
    memory: ruled(memoryRule),
  })
  .partial();

const ProfilesSchema = z
  .array(oneOf(PROFILES), { error: `must be a list of ${PROFILES.join(', ')}` })
  .refine((list) => new Set(list).size === list.length, { error: 'must name each profile once' })
  // Canonical order, so equal selections render byte-identical files.
  .transform((list) => PROFILES.filter((p) => list.includes(p)));

/** The stack configuration as the user gives it (`init` flags, the wizard); defaults included. */
export const StackConfigSchema = z
  .strictObject({
    environment: oneOf(ENVIRONMENTS).default('prod'),
    profiles: ProfilesSchema.default([]),
    domain: ruled(hostnameRule).optional(),
    email: ruled(emailRule).optional(),
    httpPort: PortSchema.default(80),
    httpsPort: PortSchema.default(443),
    dataDir: ruled(absolutePathRule).optional(),
    images: z
      .partialRecord(ServiceNameSchema, ruled(imageReferenceRule), {
        error: 'must be a map from service name to image reference',
      })
      .default({}),
    pullPolicy: oneOf(PULL_POLICIES).default('missing'),
    resources: z
      .partialRecord(ServiceNameSchema, ResourceOverrideSchema, {
        error: 'must be a map from service name to { cpus, memory }',
      })
      .default({}),
    plex: z
      .strictObject({ clientId: ruled(plainValueRule), clientSecret: ruled(plainValueRule) })
      .partial()
      .optional(),
  })
  // `when`: also run when other fields are invalid, so one answer names every problem.
  .refine((c) => typeof c.httpPort !== 'number' || c.httpPort !== c.httpsPort, {
    path: ['httpsPort'],
    error: 'must differ from httpPort',
    when: () => true,
  })
  .refine(
    (c) => !(c.profiles?.includes('tls') && typeof c.domain === 'string' && c.email === undefined),
    {
      path: ['email'],
      error: "is required with the tls profile and a domain (Let's Encrypt needs it)",
      when: () => true,
    },
  );

/** The validated configuration with every default applied. */
export interface StackConfig {
  environment: Environment;
  profiles: Profile[];
  domain?: string;
  email?: string;
  httpPort: number;
  httpsPort: number;
  /** Absolute, no trailing slash. */
  dataDir: string;
  /** Every service's image; migrate follows backend unless set. */
  images: Record<ServiceName, string>;
  pullPolicy: PullPolicy;
  resources: Partial<Record<ServiceName, ResourceOverride>>;
  plex?: { clientId?: string; clientSecret?: string };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Per-service maps refuse unknown keys with this wording rather than zod's "unrecognized key". */
const SERVICE_MAPS = new Set(['images', 'resources']);

function refuse(issues: readonly z.core.$ZodIssue[], prefix: string[] = []): never {
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const unknown = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    for (const key of unknown) {
      const path = [...prefix, ...issue.path, ...(key === undefined ? [] : [key])].map(String);
      const parent = path.slice(0, -1).join('.');
      const rule =
        key === undefined
          ? issue.message
          : SERVICE_MAPS.has(parent)
            ? `unknown service (known: ${SERVICE_NAMES.join(', ')})`
            : 'unknown field';
      fields[path.join('.') || '(config)'] ??= rule;
    }
  }
  const message = Object.entries(fields)
    .map(([name, rule]) => `${name}: ${rule}`)
    .join('; ');
  throw new AppError('validation_failed', message, { fields });
}

const invalid = (path: string, message: string): z.core.$ZodIssue => ({
  code: 'custom',
  path: path ? [path] : [],
  message,
  input: undefined,
});

/** Every service's image in SERVICE_NAMES order; migrate follows backend unless set itself. */
function imagesFor(chosen: Partial<Record<ServiceName, string>>): Record<ServiceName, string> {
  const backend = chosen.backend ?? DEFAULT_IMAGES.backend;
  const pick = (name: ServiceName): string =>
    chosen[name] ?? (name === 'migrate' ? backend : DEFAULT_IMAGES[name]);
  return Object.fromEntries(SERVICE_NAMES.map((name) => [name, pick(name)])) as Record<
    ServiceName,
    string
  >;
}

/**
 * Validates raw user input and applies the defaults (`defaults.dataDir` is the caller's, usually
 * <home>/data). Throws AppError('validation_failed') whose message names every invalid field
 * ("domain: must be lowercase; httpsPort: must differ from httpPort") and whose details.fields maps
 * each field to its rule.
 */
export function parseStackConfig(input: unknown, defaults: { dataDir?: string } = {}): StackConfig {
  if (input !== undefined && input !== null && !isRecord(input)) {
    refuse([invalid('', 'must be a map of settings')]);
  }
  const parsed = StackConfigSchema.safeParse(input ?? {});
  if (!parsed.success) refuse(parsed.error.issues);
  const { dataDir, images, ...rest } = parsed.data;
  const chosenDataDir = dataDir ?? defaults.dataDir;
  const problem = chosenDataDir === undefined ? 'is required' : absolutePathRule(chosenDataDir);
  if (chosenDataDir === undefined || problem) refuse([invalid('dataDir', problem ?? '')]);
  return { ...rest, dataDir: trimSlashes(chosenDataDir), images: imagesFor(images) };
}

/** Reads an `--images FILE`: a JSON or YAML map from service name to image reference. */
export function parseImagesFile(text: string): Partial<Record<ServiceName, string>> {
  if (text.length > 64 * 1024) refuse([invalid('images', 'the file must be at most 64 KiB')]);
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    const reason = messageOf(error).split('\n')[0] ?? '';
    refuse([invalid('images', `the file must be a JSON or YAML map (${reason})`)]);
  }
  const parsed = StackConfigSchema.shape.images.safeParse(raw ?? {});
  if (!parsed.success) refuse(parsed.error.issues, ['images']);
  return parsed.data;
}
