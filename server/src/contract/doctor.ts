import { z } from 'zod';
import { DockerInstallPlanSchema } from './docker-setup.js';

export const CheckStatusSchema = z.enum(['ok', 'warn', 'fail']);
export type CheckStatus = z.infer<typeof CheckStatusSchema>;

/** Where an engine endpoint came from, in discovery order. */
export const EngineSourceSchema = z.enum(['DOCKER_HOST', 'context', 'known-socket', 'named-pipe']);
export type EngineSource = z.infer<typeof EngineSourceSchema>;

/** What kind of engine an endpoint most likely is, from where it was found. */
export const EngineKindSchema = z.enum([
  'docker-engine',
  'docker-engine-rootless',
  'docker-desktop',
  'colima',
  'rancher-desktop',
  'podman',
  'orbstack',
  'unknown',
]);
export type EngineKind = z.infer<typeof EngineKindSchema>;

export const EngineCandidateSchema = z.object({
  endpoint: z.string(),
  source: EngineSourceSchema,
  kind: EngineKindSchema,
  /** Human-readable origin, e.g. "docker context \"colima\"" or "/var/run/docker.sock". */
  origin: z.string(),
});
export type EngineCandidate = z.infer<typeof EngineCandidateSchema>;

export const EngineSummarySchema = EngineCandidateSchema.extend({
  reachable: z.boolean(),
  version: z.string().optional(),
  apiVersion: z.string().optional(),
  os: z.string().optional(),
  arch: z.string().optional(),
  operatingSystem: z.string().optional(),
  memoryBytes: z.number().optional(),
});
export type EngineSummary = z.infer<typeof EngineSummarySchema>;

export const DoctorCheckSchema = z.object({
  /** Stable identifier, e.g. `engine.reachable`, `ports.http`, `disk.data`. */
  id: z.string(),
  title: z.string(),
  status: CheckStatusSchema,
  /** What was found, in plain language. */
  summary: z.string(),
  /** What to do about it, in words that fit any screen; present whenever status is not `ok`. */
  fix: z.string().optional(),
  /** The same advice for the command line (naming the flag to pass), when it differs from `fix`. */
  cliFix: z.string().optional(),
});
export type DoctorCheck = z.infer<typeof DoctorCheckSchema>;

export const DoctorReportSchema = z.object({
  /** True when no check failed: the machine can run the stack. */
  ready: z.boolean(),
  checkedAt: z.string(),
  engine: EngineSummarySchema.nullable(),
  checks: z.array(DoctorCheckSchema),
  /** How to get an engine: present only when none is reachable. */
  installPlan: DockerInstallPlanSchema.optional(),
});
export type DoctorReport = z.infer<typeof DoctorReportSchema>;
