import type { Profile, ServiceName } from '../stack-names.js';
import { databaseUrl, isAcceptedByMediaNest, redisUrl } from './generate.js';

/**
 * Every secret the stack uses, where its value comes from and which services mount it. This is
 * the one list: render mounts from it, `init` generates from it, `secrets list` describes from it.
 */

export const SECRET_NAMES = [
  'postgres_password',
  'database_url',
  'redis_password',
  'redis_url',
  'jwt_secret',
  'jwt_secret_rotation',
  'encryption_key',
  'metrics_token',
  'nextauth_secret',
  'plex_client_id',
  'plex_client_secret',
  'grafana_password',
  'pgadmin_password',
  'redis_commander_password',
  'tls_self_signed',
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

/** Where a value comes from. */
export type SecretSource =
  /** 256 random bits as hex; `alsoAccept` guards values derived from it. */
  | { kind: 'random'; alsoAccept?: (value: string) => boolean }
  /** Built from another secret, and rebuilt whenever that one changes. */
  | { kind: 'derived'; from: SecretName; build: (value: string) => string }
  /** A setting the user may give (Plex); a placeholder MediaNest accepts otherwise. */
  | { kind: 'setting'; setting: 'clientId' | 'clientSecret'; placeholder: string }
  /** A private key and a self-signed certificate in one PEM file, for nginx until TLS is real. */
  | { kind: 'self-signed-tls' };

export interface SecretConsumer {
  service: ServiceName;
  /** Mounted only while this profile is on (services of a profile exist only then anyway). */
  profile?: Profile;
}

export interface SecretSpec {
  name: SecretName;
  description: string;
  source: SecretSource;
  consumers: readonly SecretConsumer[];
}

// frontend/.env.example's values. Plex login uses PIN auth, yet the backend insists both are set;
// the validator's word list does not apply to these two, and neither holds a rejected word anyway.
export const PLEX_CLIENT_ID_PLACEHOLDER = 'MediaNest';
export const PLEX_CLIENT_SECRET_PLACEHOLDER = 'not-used-for-pin-auth';

/** In generation order: a derived secret comes after its source. */
export const SECRET_CATALOGUE: readonly SecretSpec[] = [
  {
    name: 'postgres_password',
    description: 'Password of the PostgreSQL user medianest; must match database_url.',
    source: { kind: 'random', alsoAccept: (pw) => isAcceptedByMediaNest(databaseUrl(pw)) },
    consumers: [{ service: 'postgres' }],
  },
  {
    name: 'database_url',
    description: 'DATABASE_URL for the backend and its migrations, built from postgres_password.',
    source: { kind: 'derived', from: 'postgres_password', build: databaseUrl },
    consumers: [{ service: 'migrate' }, { service: 'backend' }],
  },
  {
    name: 'redis_password',
    description: 'Password Redis requires; must match redis_url.',
    source: { kind: 'random', alsoAccept: (pw) => isAcceptedByMediaNest(redisUrl(pw)) },
    consumers: [{ service: 'redis' }, { service: 'redis-commander' }],
  },
  {
    name: 'redis_url',
    description: 'REDIS_URL for the backend, built from redis_password.',
    source: { kind: 'derived', from: 'redis_password', build: redisUrl },
    consumers: [{ service: 'backend' }],
  },
  {
    name: 'jwt_secret',
    description: 'JWT_SECRET: signs sessions. Changing it logs everyone out.',
    source: { kind: 'random' },
    consumers: [{ service: 'backend' }],
  },
  {
    // MediaNest verifies a token with JWT_SECRET_ROTATION when JWT_SECRET fails and never signs
    // with it (backend/src/utils/jwt.ts), so an unused random value outside a grace period accepts
    // nothing; being always present keeps the mount, and so the backend's definition, stable.
    name: 'jwt_secret_rotation',
    description:
      'JWT_SECRET_ROTATION: for a grace period after `secrets rotate jwt_secret`, the previous jwt_secret, so sessions signed with it stay valid; otherwise a random value nothing was signed with.',
    source: { kind: 'random' },
    consumers: [{ service: 'backend' }],
  },
  {
    name: 'encryption_key',
    description:
      'ENCRYPTION_KEY: encrypts Plex tokens and service API keys in the database. Without it a restored database cannot be read: back it up.',
    source: { kind: 'random' },
    consumers: [{ service: 'backend' }],
  },
  {
    name: 'metrics_token',
    description: 'METRICS_TOKEN: the bearer token the backend requires on /metrics in production.',
    source: { kind: 'random' },
    consumers: [{ service: 'backend' }, { service: 'prometheus' }],
  },
  {
    name: 'nextauth_secret',
    description: 'NEXTAUTH_SECRET for the frontend.',
    source: { kind: 'random' },
    consumers: [{ service: 'frontend' }],
  },
  {
    name: 'plex_client_id',
    description: `PLEX_CLIENT_ID; "${PLEX_CLIENT_ID_PLACEHOLDER}" unless set (PIN login does not use it).`,
    source: { kind: 'setting', setting: 'clientId', placeholder: PLEX_CLIENT_ID_PLACEHOLDER },
    consumers: [{ service: 'backend' }],
  },
  {
    name: 'plex_client_secret',
    description: `PLEX_CLIENT_SECRET; "${PLEX_CLIENT_SECRET_PLACEHOLDER}" unless set.`,
    source: {
      kind: 'setting',
      setting: 'clientSecret',
      placeholder: PLEX_CLIENT_SECRET_PLACEHOLDER,
    },
    consumers: [{ service: 'backend' }],
  },
  {
    name: 'grafana_password',
    description: "Grafana's admin password (user admin).",
    source: { kind: 'random' },
    consumers: [{ service: 'grafana' }],
  },
  {
    name: 'pgadmin_password',
    description: "pgAdmin's password for admin@medianest.local.",
    source: { kind: 'random' },
    consumers: [{ service: 'pgadmin' }],
  },
  {
    name: 'redis_commander_password',
    description: "redis-commander's HTTP password (user admin).",
    source: { kind: 'random' },
    consumers: [{ service: 'redis-commander' }],
  },
  {
    name: 'tls_self_signed',
    description:
      "nginx's self-signed certificate and key (PEM), served until Let's Encrypt's certificate exists.",
    source: { kind: 'self-signed-tls' },
    consumers: [{ service: 'nginx', profile: 'tls' }],
  },
];

const BY_NAME = new Map(SECRET_CATALOGUE.map((spec) => [spec.name, spec]));

/** The spec of a secret, or undefined for a name the catalogue does not know. */
export function secretSpec(name: string): SecretSpec | undefined {
  return BY_NAME.get(name as SecretName);
}

/** The secrets a service mounts, given the enabled profiles, in catalogue order. */
export function secretsOf(service: ServiceName, profiles: readonly Profile[]): SecretName[] {
  return SECRET_CATALOGUE.filter((spec) =>
    spec.consumers.some(
      (c) => c.service === service && (c.profile === undefined || profiles.includes(c.profile)),
    ),
  ).map((spec) => spec.name);
}
