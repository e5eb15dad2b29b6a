/**
 * Runs a service's own healthcheck once, now, instead of waiting for the engine's next run.
 *
 * Docker 20.10 runs a container's first healthcheck one full `interval` after it starts (there is
 * no `start_interval` before API 1.44), so a service that is ready after one second is reported
 * healthy only after five or ten. A start gated on health can ask this port directly.
 */
export interface HealthProbe {
  /**
   * Runs `test` (the compose form: `["CMD", ...]` or `["CMD-SHELL", "..."]`) inside the running
   * container `containerId`, the way the engine runs its healthcheck: same user, environment,
   * working folder and shell. True when it exits 0 within `timeoutMs`; false when it fails, times
   * out, or cannot run (the container is not running). Never throws, never reveals the command or
   * its output, which may read secrets. `signal` abandons the run (it then resolves false).
   */
  check(
    containerId: string,
    test: readonly string[],
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<boolean>;
}

/** The test forms a probe can run: "NONE" and an inherited empty test disable the healthcheck. */
export function isRunnableTest(test: readonly string[] | undefined): test is readonly string[] {
  return (test?.[0] === 'CMD' || test?.[0] === 'CMD-SHELL') && test.length > 1;
}
