import { z } from 'zod';

/**
 * The subset of the Compose specification the appliance renders and applies. The rendered file is
 * plain compose: Debian's docker-compose 1.29 validates it (`config -q`) and lists our containers.
 * Everything here is already resolved (absolute paths, no `${VAR}` interpolation, profiles applied):
 * the reconciler applies exactly what the file says.
 */

/** Go-style durations as compose writes them: "30s", "1m30s", "500ms". */
export const DurationSchema = z
  .string()
  .regex(/^(\d+(ns|us|ms|s|m|h))+$/, 'a duration such as "30s" or "1m30s"');

export const HealthcheckSchema = z.object({
  /** ["CMD", ...] or ["CMD-SHELL", "..."]; ["NONE"] disables the image's own check. */
  test: z.array(z.string()).min(1),
  interval: DurationSchema,
  timeout: DurationSchema,
  retries: z.number().int().min(1),
  start_period: DurationSchema,
});
export type Healthcheck = z.infer<typeof HealthcheckSchema>;

export const DependencyConditionSchema = z.enum([
  'service_started',
  'service_healthy',
  'service_completed_successfully',
]);
export type DependencyCondition = z.infer<typeof DependencyConditionSchema>;

export const BindVolumeSchema = z.object({
  type: z.literal('bind'),
  /** Absolute host path. */
  source: z.string().startsWith('/'),
  target: z.string().startsWith('/'),
  read_only: z.boolean().optional(),
});
export type BindVolume = z.infer<typeof BindVolumeSchema>;

export const ResourcesSchema = z.object({
  /** Fractional CPUs as a string, e.g. "0.5". */
  cpus: z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .optional(),
  /** Bytes with a unit, e.g. "512M", "1G". */
  memory: z
    .string()
    .regex(/^\d+[kKmMgG]?$/)
    .optional(),
});

export const ServiceSchema = z.object({
  image: z.string().min(1),
  entrypoint: z.array(z.string()).optional(),
  command: z.array(z.string()).optional(),
  /** "uid:gid"; absent means the image's own user. */
  user: z
    .string()
    .regex(/^\d+(:\d+)?$/)
    .optional(),
  working_dir: z.string().optional(),
  environment: z.record(z.string(), z.string()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  depends_on: z.record(z.string(), z.object({ condition: DependencyConditionSchema })).optional(),
  healthcheck: HealthcheckSchema.optional(),
  restart: z.enum(['no', 'always', 'unless-stopped', 'on-failure']).optional(),
  /** Short syntax "HOST_IP:HOST_PORT:CONTAINER_PORT", always with a host address. */
  ports: z.array(z.string().regex(/^[0-9.:[\]a-fA-F]+:\d+:\d+(\/(tcp|udp))?$/)).optional(),
  volumes: z.array(BindVolumeSchema).optional(),
  /** "PATH[:OPTIONS]", e.g. "/tmp:size=64m,mode=1777". */
  tmpfs: z.array(z.string()).optional(),
  read_only: z.boolean().optional(),
  cap_drop: z.array(z.string()).optional(),
  cap_add: z.array(z.string()).optional(),
  security_opt: z.array(z.string()).optional(),
  /** Network name -> aliases on it. */
  networks: z.record(z.string(), z.object({ aliases: z.array(z.string()).optional() })),
  /** File secrets, mounted at /run/secrets/<target>. */
  secrets: z.array(z.object({ source: z.string(), target: z.string() })).optional(),
  stop_grace_period: DurationSchema.optional(),
  stop_signal: z.string().optional(),
  init: z.boolean().optional(),
  /** Most processes the container may run (CIS 5.28). */
  pids_limit: z.number().int().positive().optional(),
  logging: z
    .object({
      driver: z.literal('json-file'),
      options: z.object({ 'max-size': z.string(), 'max-file': z.string() }),
    })
    .optional(),
  deploy: z
    .object({
      resources: z.object({
        limits: ResourcesSchema.optional(),
        reservations: ResourcesSchema.optional(),
      }),
    })
    .optional(),
});
export type Service = z.infer<typeof ServiceSchema>;

export const NetworkSchema = z.object({
  internal: z.boolean().optional(),
  driver: z.literal('bridge').optional(),
  labels: z.record(z.string(), z.string()).optional(),
});
export type Network = z.infer<typeof NetworkSchema>;

export const ComposeFileSchema = z.object({
  services: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), ServiceSchema),
  networks: z.record(z.string(), NetworkSchema),
  /** Secret name -> file, relative to the compose file's folder or absolute. */
  secrets: z.record(z.string(), z.object({ file: z.string() })).optional(),
});
export type ComposeFile = z.infer<typeof ComposeFileSchema>;

/** The compose project name: containers, networks and labels all carry it. */
export const PROJECT_NAME = 'medianest';

/** Bytes in a compose memory value such as "512M"; undefined when it is not one (or absent). */
export function memoryBytes(value: string | undefined): number | undefined {
  const match = /^([1-9][0-9]*)([kKmMgG]?)$/.exec(value ?? '');
  if (!match) return undefined;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(match[2] ?? '').toLowerCase()];
  return Number(match[1]) * (unit ?? 1);
}

/** Parses a Go-style duration into milliseconds. */
export function durationMs(value: string): number {
  const units: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  let total = 0;
  for (const match of value.matchAll(/(\d+)(ns|us|ms|s|m|h)/g)) {
    total += Number(match[1]) * (units[match[2] as string] ?? 0);
  }
  return total;
}
