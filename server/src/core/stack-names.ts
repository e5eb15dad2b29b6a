/**
 * The stack's vocabulary: its services and profiles. Shared by the areas that speak of services:
 * core/stack renders them, core/secrets says which secrets each one gets, core/images loads their
 * images. Here, at core's root, so that secrets need not import the stack that renders with them.
 */

/** Every service the templates can render, in start order. */
export const SERVICE_NAMES = [
  'postgres',
  'redis',
  'migrate',
  'backend',
  'frontend',
  'nginx',
  'certbot',
  'prometheus',
  'grafana',
  'pgadmin',
  'redis-commander',
  'mailhog',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const PROFILES = ['tls', 'monitoring', 'devtools'] as const;
export type Profile = (typeof PROFILES)[number];
