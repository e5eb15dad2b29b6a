import { AppError } from '../app-error.js';
import { SECRET_NAMES, type SecretName } from './catalogue.js';

/**
 * Which secrets `secrets rotate` changes, and why the others are refused. Every rotation writes a
 * new canonical value, re-renders (derived secrets and per-service copies follow) and runs `up`,
 * which recreates exactly the services that mount it. Two services also keep the value in their
 * own data, which the file alone does not change: PostgreSQL (the role's password) and Grafana
 * (the admin user, read from the file only when its database is first created).
 */

export const ROTATABLE_SECRETS = [
  'postgres_password',
  'redis_password',
  'jwt_secret',
  'nextauth_secret',
  'metrics_token',
  'grafana_password',
] as const;
export type RotatableSecret = (typeof ROTATABLE_SECRETS)[number];

export interface RotationSpec {
  name: RotatableSecret;
  /** The service whose own data holds the value; it must be running to be changed. */
  inService?: 'postgres' | 'grafana';
  /** Secrets rewritten along with it (derived ones, by the re-render). */
  alsoChanges: SecretName[];
}

const SPECS: Record<RotatableSecret, RotationSpec> = {
  postgres_password: {
    name: 'postgres_password',
    inService: 'postgres',
    alsoChanges: ['database_url'],
  },
  redis_password: { name: 'redis_password', alsoChanges: ['redis_url'] },
  jwt_secret: { name: 'jwt_secret', alsoChanges: ['jwt_secret_rotation'] },
  nextauth_secret: { name: 'nextauth_secret', alsoChanges: [] },
  metrics_token: { name: 'metrics_token', alsoChanges: [] },
  grafana_password: { name: 'grafana_password', inService: 'grafana', alsoChanges: [] },
};

/** Why each other known secret is not rotated by the appliance. */
export const NOT_ROTATABLE: Readonly<Record<Exclude<SecretName, RotatableSecret>, string>> = {
  encryption_key:
    'MediaNest encrypts the Plex tokens and service API keys it stores in its database with ENCRYPTION_KEY, and has no way to re-encrypt them under a new key: a new key would leave them unreadable. Keep this key, and keep it backed up.',
  database_url: 'It is built from postgres_password: rotate postgres_password instead.',
  redis_url: 'It is built from redis_password: rotate redis_password instead.',
  jwt_secret_rotation:
    'It follows jwt_secret (the previous value during a grace period): rotate jwt_secret instead.',
  plex_client_id:
    'It is a setting (your Plex app), not a generated secret: change it in the settings.',
  plex_client_secret:
    'It is a setting (your Plex app), not a generated secret: change it in the settings.',
  tls_self_signed:
    '`init` renews the self-signed certificate itself when it nears expiry or the domain changes.',
  pgadmin_password:
    'pgAdmin keeps its login in its own database after the first start; the appliance does not rotate it yet.',
  redis_commander_password: 'The appliance does not rotate the devtools passwords yet.',
};

export function isRotatable(name: string): name is RotatableSecret {
  return (ROTATABLE_SECRETS as readonly string[]).includes(name);
}

/** The rotation of `name`, or an AppError naming what can be rotated (unknown) or why not (refused). */
export function rotationSpec(name: string): RotationSpec {
  if (isRotatable(name)) return SPECS[name];
  const valid = ROTATABLE_SECRETS.join(', ');
  if ((SECRET_NAMES as readonly string[]).includes(name)) {
    const reason = NOT_ROTATABLE[name as keyof typeof NOT_ROTATABLE];
    throw new AppError('conflict', `${name} is not rotated by the appliance. ${reason}`, {
      secret: name,
      rotatable: [...ROTATABLE_SECRETS],
    });
  }
  // Echoed only when it looks like a name: a value pasted by mistake is never repeated back.
  const shown = /^[a-z][a-z_-]{0,40}$/.test(name) ? `"${name}"` : 'by that name';
  throw new AppError(
    'validation_failed',
    `There is no secret ${shown}. Secrets that can be rotated: ${valid}.`,
    { fields: { name: `must be one of ${valid}` } },
  );
}
