/** The public shape of the server: what createServer takes and gives (DESIGN.md). */
import type { EventEmitter } from 'node:events';
import type { LoginLink } from '../contract/auth.js';
import type { DomainEvent } from '../contract/events.js';
import type { AlertTimings } from '../core/alerts/alerts-service.js';
import type { JobHolder } from '../core/jobs/job-lock.js';
import type { ScryptParams } from '../core/auth/password-hash.js';
import type { SecretBox } from '../core/remote/appliance-list.js';
import type { DockerGatewayFactory } from '../core/docker-gateway.js';
import type { HostProbe } from '../core/doctor/host-probe.js';
import type { EventBus } from '../core/events/event-bus.js';
import type { ServerMode } from '../http/auth-routes.js';
import type { EventStreamOptions } from '../http/event-stream.js';
import type { HomePaths } from '../infra/fs/home.js';
import type { Logger } from '../infra/log/logger.js';
import type { AppReleaseOptions } from './app-release.js';

/** Timings and inputs from other areas; tests shorten the timings. */
export interface AlertsOptions extends AlertTimings {
  /**
   * When the last backup succeeded (undefined: none yet, counted from when monitoring first saw
   * the stack installed); the backup catalogue's newest verified backup when omitted.
   */
  lastSuccessfulBackupAt?: () => Date | undefined;
}

export interface ServerOptions {
  /** The appliance home (DESIGN.md); created when missing. */
  home: string;
  /**
   * Default 127.0.0.1: the API drives the Docker socket, so it is root-equivalent. Any other
   * address (LAN mode) needs an admin password first (`setAdminPassword`).
   */
  host?: string;
  /** Default 0: a free port chosen by the OS. */
  port?: number;
  /**
   * Beyond loopback the server speaks HTTPS only (issue 21 §1): with this certificate and key
   * (PEM files) when given, else with one it makes and keeps in `<home>/tls`.
   */
  tls?: { certFile?: string; keyFile?: string };
  /** Beyond loopback, plain HTTP instead (`serve --insecure-plain-http`): warned about everywhere. */
  insecurePlainHttp?: boolean;
  /** The per-launch token; a fresh 256-bit one when omitted. */
  token?: string;
  /** Extra host names the server answers to (beyond loopback names). */
  allowedHosts?: string[];
  rendererDir?: string;
  env?: Record<string, string | undefined>;
  connectDocker?: DockerGatewayFactory;
  hostProbe?: HostProbe;
  logger?: Logger;
  /** The bus core publishes domain events on; a fresh one (last 1000 events) when omitted. */
  bus?: EventBus;
  /** Event stream bounds; tests shorten them. */
  eventStream?: Partial<
    Pick<EventStreamOptions, 'heartbeatMs' | 'maxBufferedBytes' | 'maxStallMs' | 'maxClients'>
  >;
  /** Clock for sessions, login codes and rate limits (ms since the epoch). */
  now?: () => number;
  /** Follow the engine's events for live health, resources and deep checks (default true). */
  monitorHealth?: boolean;
  /** Deep-check and `resources.sampled` intervals (defaults 30 s and 5 s); tests shorten them. */
  monitoring?: { deepCheckIntervalMs?: number; publishIntervalMs?: number };
  /** Alert timings and inputs from other areas (backup age); tests shorten the timings. */
  alerts?: AlertsOptions;
  /** scrypt cost for the admin password; tests lower it. */
  scrypt?: ScryptParams;
  /**
   * Seals the device tokens of paired appliances (issue 21): Electron's safeStorage in the desktop
   * app; a random key in `<home>/remote.key` (0600) when omitted.
   */
  secretBox?: SecretBox;
  /**
   * Beyond loopback with HTTPS, answer DNS-SD queries on the LAN (`_medianest-appliance._tcp`).
   * Default: yes, unless MEDIANEST_MDNS=off.
   */
  announce?: boolean;
  /** Pauses before an unreachable paired appliance is tried again (default 2 s doubling to 30 s). */
  remoteRetryMs?: { first: number; max: number };
  /** The app's own release check: daily by default; off in the desktop app (it has its updater). */
  appRelease?: AppReleaseOptions;
}

/** What `serve` prints and the UI shows of its certificate: never the key. */
export interface ServedTls {
  fingerprint: string;
  keyFingerprint: string;
  notAfter: string;
  source: 'user' | 'made' | 'renewed' | 'kept';
}

/** A job under way in the home: who runs it, its kind and, in words, what it does ("a backup"). */
export type RunningJob = Pick<JobHolder, 'owner' | 'kind' | 'jobId'> & { description: string };

export interface ServerEvents {
  ready: [{ url: string }];
  stopped: [];
}

export interface AppServer {
  start(): Promise<{ url: string; token: string }>;
  /** Closes every event stream (`stream.closed`), the listener and the database. Final. */
  stop(): Promise<void>;
  readonly events: EventEmitter<ServerEvents>;
  readonly paths: HomePaths;
  /** `lan` when the server listens beyond loopback: then it needs an admin password. */
  readonly mode: ServerMode;
  /** The HTTPS certificate in use (beyond loopback, unless plain HTTP was asked for); after `start()`. */
  tls(): ServedTls | undefined;
  /** Publishes a domain event to every subscriber and every `/api/events` client. */
  publish(event: DomainEvent): void;
  /** Domain events as they are published (for the desktop shell: tray, notifications). */
  subscribe(listener: (event: DomainEvent) => void): () => void;
  /** A fresh one-time login link (a code valid once, for 10 minutes); after `start()`. */
  createLoginLink(): LoginLink;
  hasAdminPassword(): boolean;
  /**
   * The job running now in this home, the server's or a CLI verb's (undefined: none), with what it
   * does in words ("a backup"): the desktop app installs its own update only between jobs.
   */
  runningJob(): RunningJob | undefined;
  /** Makes `password` (12+ characters) the admin password; replacing one signs browsers out. */
  setAdminPassword(password: string): Promise<'unchanged' | 'set' | 'changed'>;
}
