import type { DeepCheckResult, StackHealth } from '../../contract/health.js';
import { Rounds } from '../rounds.js';

/** What an exec into a service's container gave back. */
export interface DeepCheckExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a command (argv, no shell unless given) inside a service's running container. */
export type DeepCheckExec = (
  service: string,
  command: readonly string[],
  timeoutMs: number,
) => Promise<DeepCheckExecResult>;

/** One service's deep check: the command and how to read its result. */
export interface DeepCheckSpec {
  service: string;
  command: readonly string[];
  /** True when the result means the service answers; the default is exit code 0. */
  ok?: (result: DeepCheckExecResult) => boolean;
  /** The output to show; the default is stdout, else stderr. */
  summary?: (result: DeepCheckExecResult) => string;
}

const MAX_OUTPUT = 500;

/** Connection strings in an error message may carry a password: `scheme://user:pass@host`. */
function redact(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1***@');
}

/**
 * The deep checks of the MediaNest stack, beyond Docker's own healthchecks. Redis's password is
 * read from its secret file by a shell inside the container: it is in no argv or environment that
 * `ps` or an exec's inspect would show (the command text names only the file).
 */
export const DEEP_CHECKS: readonly DeepCheckSpec[] = [
  {
    service: 'postgres',
    command: ['pg_isready', '-h', '127.0.0.1', '-p', '5432', '-U', 'medianest', '-d', 'medianest'],
  },
  {
    service: 'redis',
    command: [
      'sh',
      '-c',
      'REDISCLI_AUTH="$(cat /run/secrets/redis_password)" redis-cli -h 127.0.0.1 -p 6379 ping',
    ],
    ok: (r) => r.exitCode === 0 && r.stdout.trim() === 'PONG',
  },
  {
    // From the backend's own container and network, a login to PostgreSQL and Redis with the
    // backend's own credentials (compose-templates/files/shims/deep-check.cjs). MediaNest's
    // /health/ready checks neither (R4), and this spends none of its rate-limit budget (R3).
    service: 'backend',
    command: ['node', '/opt/medianest/deep-check.cjs'],
  },
];

/** A result as the health model shows it: trimmed, redacted, at most 500 characters. */
export function deepCheckResult(
  spec: DeepCheckSpec,
  outcome: DeepCheckExecResult | Error,
  at: Date,
): DeepCheckResult {
  if (outcome instanceof Error) {
    return {
      ok: false,
      output: redact(`could not run: ${outcome.message}`).slice(0, MAX_OUTPUT),
      at: at.toISOString(),
    };
  }
  const ok = spec.ok ? spec.ok(outcome) : outcome.exitCode === 0;
  const text = spec.summary
    ? spec.summary(outcome)
    : outcome.stdout.trim() || outcome.stderr.trim();
  const output = redact(text || `exit code ${outcome.exitCode}`).slice(0, MAX_OUTPUT);
  return { ok, output, at: at.toISOString() };
}

export interface DeepCheckerDeps {
  exec: DeepCheckExec;
  health: () => StackHealth;
  report: (service: string, result: DeepCheckResult) => void;
  now: () => Date;
  /** Between two rounds (default 30 s). */
  intervalMs?: number;
  /** Per check (default 10 s). */
  timeoutMs?: number;
  checks?: readonly DeepCheckSpec[];
}

/** States in which a container runs, so an exec into it can answer. */
const RUNNING = new Set(['running', 'healthy', 'unhealthy', 'starting']);

/**
 * Every `intervalMs`, one round: the deep check of each service that runs, one after the other
 * (never more than one exec at a time, never a round on top of an unfinished one).
 */
export class DeepChecker {
  private readonly rounds = new Rounds(
    () => this.checkAll(),
    () => this.deps.intervalMs ?? 30_000,
  );

  constructor(private readonly deps: DeepCheckerDeps) {}

  start(): void {
    this.rounds.start();
  }

  stop(): Promise<void> {
    return this.rounds.stop();
  }

  /** One round now (tests; the timer calls it too). */
  runOnce(): Promise<void> {
    return this.rounds.runOnce();
  }

  private async checkAll(): Promise<void> {
    const states = new Map(this.deps.health().services.map((s) => [s.service, s.state]));
    for (const spec of this.deps.checks ?? DEEP_CHECKS) {
      const state = states.get(spec.service);
      if (!state || !RUNNING.has(state)) continue;
      const outcome = await this.deps
        .exec(spec.service, spec.command, this.deps.timeoutMs ?? 10_000)
        .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
      this.deps.report(spec.service, deepCheckResult(spec, outcome, this.deps.now()));
    }
  }
}
