import { posix } from 'node:path';
import { AppError } from '../app-error.js';
import { secretSpec } from './catalogue.js';
import { generateSecret } from './generate.js';
import { requireHealthy, setInService } from './rotation-in-service.js';
import { listSecretStatus, type SecretStatus } from './rotation-listing.js';
import type { ServiceExec } from '../service-exec.js';
import type { RotationDeps, RotationProgress } from './rotation-ports.js';
import { Scrubber } from './rotation-scrub.js';
import { rotationSpec, type RotatableSecret, type RotationSpec } from './rotation-specs.js';
import { readRotationState, writeRotationState, type RotationState } from './rotation-state.js';

export type { SecretStatus } from './rotation-listing.js';

/**
 * `secrets list` and `secrets rotate NAME`. The order of a rotation, and why (docs/secret-rotation.md):
 *
 *  1. Refuse what cannot be done before touching anything: unknown or refused names, a service
 *     that keeps the value itself (PostgreSQL, Grafana) not running and healthy.
 *  2. Journal the rotation as pending in rotation.json (names only).
 *  3. The service's own copy first (ALTER ROLE, Grafana's CLI), proven where possible (a login
 *     over TCP). It is the only step that cannot simply be rewritten, so it comes before any file:
 *     when it fails, nothing else has changed.
 *  4. The canonical file (and for jwt_secret the previous value as jwt_secret_rotation, with its
 *     grace period), then re-render: derived URLs and per-service copies follow. A failure here is
 *     retried once, then undone: the old file back, the service set back to the old value.
 *  5. Clear the journal, then `up`, which recreates exactly the services that mount the secret.
 *     A failed `up` is not undone: files and services agree on the new value, and going back to a
 *     value that may have leaked would defeat the rotation; `up` again retries.
 *
 * If the process dies between 2 and 5, the journal stays; the next rotation first makes the
 * service and the rendered stack agree with the canonical file (the truth at every moment).
 */

export const DEFAULT_GRACE_DAYS = 7;
export const MAX_GRACE_DAYS = 90;
const DAY_MS = 86_400_000;

export interface RotateOptions {
  /** jwt_secret only: days the previous value stays valid (default 7; 0 logs everyone out now). */
  graceDays?: number;
}

export interface RotationResult {
  name: RotatableSecret;
  rotatedAt: string;
  /** Secrets rewritten along with it. */
  alsoChanged: string[];
  /** Services `up` recreated; null when no container was running (the value applies at the next `up`). */
  recreated: string[] | null;
  /** jwt_secret: the previous value is accepted until then. */
  graceUntil?: string;
  /** An interrupted rotation finished first. */
  repaired?: RotatableSecret;
}

const conflict = (message: string): AppError => new AppError('conflict', message);

async function twice(operation: () => Promise<void>): Promise<void> {
  try {
    await operation();
  } catch {
    await operation();
  }
}

export class SecretsService {
  constructor(private readonly deps: RotationDeps) {}

  private file(name: string): string {
    return posix.join(this.deps.location.secretsDir, name);
  }

  private async read(name: string): Promise<string> {
    if (!(await this.deps.fs.exists(this.file(name)))) {
      throw conflict(`${name} does not exist yet: run \`medianest-appliance init\` first.`);
    }
    return this.deps.fs.readText(this.file(name));
  }

  private write(name: string, value: string): Promise<void> {
    return this.deps.fs.writeFile(this.file(name), value, 0o600);
  }

  private saveState(state: RotationState): Promise<void> {
    return writeRotationState(this.deps.fs, this.deps.location.stackDir, state);
  }

  private fresh(name: string): string {
    const source = secretSpec(name)?.source;
    return generateSecret(
      this.deps.random,
      source?.kind === 'random' ? source.alsoAccept : undefined,
    );
  }

  /** Every secret with its age, consumers and rotation state; never a value. */
  list(): Promise<SecretStatus[]> {
    return listSecretStatus(this.deps.fs, this.deps.location, this.deps.now());
  }

  /** Validates a request without doing anything, so the API can refuse before starting a job. */
  check(name: string, options: RotateOptions = {}): RotationSpec {
    const spec = rotationSpec(name);
    const days = options.graceDays;
    if (days !== undefined) {
      if (spec.name !== 'jwt_secret') {
        const rule = 'only applies to jwt_secret';
        throw new AppError('validation_failed', `graceDays: ${rule}`, {
          fields: { graceDays: rule },
        });
      }
      if (!Number.isInteger(days) || days < 0 || days > MAX_GRACE_DAYS) {
        const rule = `must be a whole number of days from 0 to ${MAX_GRACE_DAYS}`;
        throw new AppError('validation_failed', `graceDays: ${rule}`, {
          fields: { graceDays: rule },
        });
      }
    }
    return spec;
  }

  /** Rotates one secret as one job; see the module comment for the order. */
  async rotate(
    name: string,
    options: RotateOptions,
    progress: RotationProgress,
  ): Promise<RotationResult> {
    const spec = this.check(name, options);
    const scrub = new Scrubber();
    try {
      return await this.doRotate(spec, options.graceDays ?? DEFAULT_GRACE_DAYS, progress, scrub);
    } catch (error) {
      throw scrub.error(error);
    }
  }

  /**
   * For `up`: ends a JWT grace period that is over (jwt_secret_rotation gets a value nothing was
   * signed with) and re-renders. Returns whether it did; the caller's `up` recreates the backend.
   */
  async dropExpiredGrace(): Promise<boolean> {
    const { fs, location } = this.deps;
    if (!(await fs.exists(location.composeFile))) return false;
    const state = await readRotationState(fs, location.stackDir);
    if (!this.graceIsOver(state)) return false;
    await this.write('jwt_secret_rotation', this.fresh('jwt_secret_rotation'));
    await this.saveState({ ...state, jwtGraceUntil: undefined });
    await this.deps.render();
    return true;
  }

  private graceIsOver(state: RotationState): boolean {
    const until = state.jwtGraceUntil;
    return until !== undefined && Date.parse(until) <= this.deps.now().getTime();
  }

  private async doRotate(
    spec: RotationSpec,
    graceDays: number,
    progress: RotationProgress,
    scrub: Scrubber,
  ): Promise<RotationResult> {
    const { fs, location } = this.deps;
    if (!(await fs.exists(location.composeFile))) {
      throw conflict(
        `There is no stack at ${location.stackDir} yet: run \`medianest-appliance init\` first.`,
      );
    }
    progress(`checking the stack before rotating ${spec.name}`, 5);
    const engine = this.deps.engine();
    const running = await engine.runningServices();
    let state = await readRotationState(fs, location.stackDir);
    const repaired = state.pending?.name;
    if (state.pending) {
      progress(`finishing the interrupted rotation of ${state.pending.name}`, 8);
      await this.repair(rotationSpec(state.pending.name), engine, running, scrub);
      state = { ...state, pending: undefined };
      await this.saveState(state);
    }
    if (spec.inService) requireHealthy(running, spec.inService, spec.name);

    const current = await this.read(spec.name);
    const next = this.fresh(spec.name);
    const rotationBefore =
      spec.name === 'jwt_secret' ? await this.read('jwt_secret_rotation') : undefined;
    scrub.add(current, next, rotationBefore);
    const rotatedAt = this.deps.now();
    const before = state;
    state = { ...state, pending: { name: spec.name, startedAt: rotatedAt.toISOString() } };
    await this.saveState(state);

    if (spec.inService) {
      progress(`setting the new value inside ${spec.inService}`, 20);
      await this.applyInService(spec, engine, next, current, scrub, before);
    }

    progress('writing the new value and rendering the stack', 45);
    const graceUntil =
      spec.name === 'jwt_secret' && graceDays > 0
        ? new Date(rotatedAt.getTime() + graceDays * DAY_MS).toISOString()
        : undefined;
    try {
      if (spec.name === 'jwt_secret') {
        // The previous value first: at no moment is it lost while sessions still carry it.
        await this.write(
          'jwt_secret_rotation',
          graceUntil ? current : this.fresh('jwt_secret_rotation'),
        );
        state = { ...state, jwtGraceUntil: graceUntil };
      } else if (this.graceIsOver(state)) {
        await this.write('jwt_secret_rotation', this.fresh('jwt_secret_rotation'));
        state = { ...state, jwtGraceUntil: undefined };
      }
      await this.saveState(state);
      await this.write(spec.name, next);
      await twice(() => this.deps.render());
    } catch (error) {
      progress('undoing: restoring the previous value', 55);
      await this.undo(spec, engine, { current, rotationBefore, state: before }, error, scrub);
    }

    state = { ...state, pending: undefined };
    await this.saveState(state);
    let recreated: string[] | null = null;
    if (running.length > 0) {
      progress('recreating the services that use it', 65);
      try {
        const result = await this.deps.up();
        recreated = [...result.created, ...result.recreated, ...result.started];
      } catch (error) {
        const reason = scrub.error(error);
        throw new AppError(
          reason.code,
          `The new ${spec.name} is in place (its files and services agree), but the stack did not come up healthy: ${reason.message} Run \`medianest-appliance up\` to try again.`,
          reason.details,
        );
      }
    }
    progress(`${spec.name} rotated`, 100);
    return {
      name: spec.name,
      rotatedAt: rotatedAt.toISOString(),
      alsoChanged: spec.alsoChanges,
      recreated,
      ...(graceUntil ? { graceUntil } : {}),
      ...(repaired ? { repaired } : {}),
    };
  }

  /** Sets `value` inside the service; on failure sets `current` back when the first half took. */
  private async applyInService(
    spec: RotationSpec,
    engine: ServiceExec,
    value: string,
    current: string,
    scrub: Scrubber,
    before: RotationState,
  ): Promise<void> {
    try {
      await setInService(spec.inService, engine, value, scrub);
    } catch (error) {
      const reason = scrub.error(error).message;
      const changed = (error as AppError).details?.['changed'] !== false;
      if (changed) {
        try {
          await setInService(spec.inService, engine, current, scrub);
        } catch (second) {
          throw conflict(
            `Rotating ${spec.name} failed (${reason}) and setting the previous value back inside ${spec.inService} failed too (${scrub.error(second).message}). Run \`medianest-appliance secrets rotate ${spec.name}\` again: it first makes ${spec.inService} agree with the secret file.`,
          );
        }
      }
      await this.saveState(before);
      throw conflict(`Rotating ${spec.name} failed; nothing was changed: ${reason}`);
    }
  }

  /** Puts everything back after a failure in step 4; throws what the caller should report. */
  private async undo(
    spec: RotationSpec,
    engine: ServiceExec,
    previous: { current: string; rotationBefore: string | undefined; state: RotationState },
    error: unknown,
    scrub: Scrubber,
  ): Promise<never> {
    const reason = scrub.error(error).message;
    try {
      await this.write(spec.name, previous.current);
      if (previous.rotationBefore !== undefined)
        await this.write('jwt_secret_rotation', previous.rotationBefore);
      await setInService(spec.inService, engine, previous.current, scrub);
      await this.deps.render();
      await this.saveState(previous.state);
    } catch (second) {
      throw conflict(
        `Rotating ${spec.name} failed (${reason}) and undoing it failed too (${scrub.error(second).message}). Run \`medianest-appliance secrets rotate ${spec.name}\` again: it first makes every service agree with the secret file.`,
      );
    }
    throw conflict(`Rotating ${spec.name} failed; the previous value was restored: ${reason}`);
  }

  /** After an interruption: the canonical file is the truth; make the service and the copies agree. */
  private async repair(
    spec: RotationSpec,
    engine: ServiceExec,
    running: Array<{ service: string; health: string }>,
    scrub: Scrubber,
  ): Promise<void> {
    const value = await this.read(spec.name);
    scrub.add(value);
    if (spec.inService) {
      requireHealthy(running, spec.inService, spec.name);
      await setInService(spec.inService, engine, value, scrub);
    }
    await this.deps.render();
  }
}
