import { z } from 'zod';
import { AlertChangedSchema } from './alerts.js';
import { EngineAppearedSchema, EngineWentAwaySchema } from './docker-setup.js';
import { ErrorCodeSchema } from './errors.js';
import { ServiceStateChangedSchema, StackStatusChangedSchema } from './health.js';
import { ResourcesSampledSchema } from './resources-routes.js';
import { StackProgressSchema } from './stack.js';
import {
  AlertRaisedSchema,
  ApplianceChangedSchema,
  TrayChangedSchema,
  TrayOverallSchema,
} from './tray.js';
import { UpdateBecameAvailableSchema } from './updates-routes.js';

/** The one server-push stream: `GET` with the token or a session; `text/event-stream`. */
export const EVENTS_PATH = '/api/events';

/** A job moved on: which step it is at and, when known, how far along it is. */
export const JobProgressedSchema = z.object({
  type: z.literal('job.progressed'),
  jobId: z.string(),
  /** What the job does, e.g. `install`, `backup`, `secret-rotation`. */
  kind: z.string(),
  /** The current step, in plain language. */
  step: z.string(),
  percent: z.number().min(0).max(100).optional(),
  bytes: z.object({ done: z.number(), total: z.number().optional() }).optional(),
});

export const JobOutcomeSchema = z.enum(['succeeded', 'failed', 'interrupted', 'cancelled']);
export type JobOutcome = z.infer<typeof JobOutcomeSchema>;

/** A job reached its final state. */
export const JobFinishedSchema = z.object({
  type: z.literal('job.finished'),
  jobId: z.string(),
  kind: z.string(),
  outcome: JobOutcomeSchema,
  error: z.object({ code: ErrorCodeSchema, message: z.string() }).optional(),
});

/** A stack operation (up, down, start, stop, restart) moved on; `jobId` names the job driving it. */
export const StackProgressedSchema = z.object({
  type: z.literal('stack.progressed'),
  jobId: z.string().optional(),
  progress: StackProgressSchema,
});

/**
 * Domain events: published on the server's bus, numbered, kept in its bounded buffer and replayed
 * to a client that resumes with `Last-Event-ID`. To add an event, append its schema here: the
 * `type` is its name, in the past tense (`service.became-unhealthy`).
 */
export const DomainEventSchema = z.discriminatedUnion('type', [
  JobProgressedSchema,
  JobFinishedSchema,
  StackProgressedSchema,
  ServiceStateChangedSchema,
  StackStatusChangedSchema,
  TrayChangedSchema,
  AlertRaisedSchema,
  AlertChangedSchema,
  ResourcesSampledSchema,
  EngineAppearedSchema,
  EngineWentAwaySchema,
  UpdateBecameAvailableSchema,
  ApplianceChangedSchema,
  TrayOverallSchema,
]);
export type DomainEvent = z.infer<typeof DomainEventSchema>;

/** Sent every ~15 s so a client (and any proxy) knows the stream is alive. Carries no id. */
export const HeartbeatSchema = z.object({ type: z.literal('server.heartbeat'), at: z.string() });

/**
 * The client asked to resume from an event the server no longer has (too old for its buffer, or
 * from before a server restart): it missed events and should reload the state it shows.
 */
export const StreamResetSchema = z.object({
  type: z.literal('stream.reset'),
  reason: z.enum(['events-expired', 'server-restarted']),
});

export const StreamClosedReasonSchema = z.enum(['client-too-slow', 'server-stopping', 'revoked']);
export type StreamClosedReason = z.infer<typeof StreamClosedReasonSchema>;

/** The server ends the stream after this message; `client-too-slow` means it stopped reading. */
export const StreamClosedSchema = z.object({
  type: z.literal('stream.closed'),
  reason: StreamClosedReasonSchema,
  message: z.string(),
});

/** Everything `/api/events` carries: domain events (with an id) and messages about the stream itself. */
export const ServerEventSchema = z.discriminatedUnion('type', [
  ...DomainEventSchema.options,
  HeartbeatSchema,
  StreamResetSchema,
  StreamClosedSchema,
]);
export type ServerEvent = z.infer<typeof ServerEventSchema>;
export type ServerEventType = ServerEvent['type'];
