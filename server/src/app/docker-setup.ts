/**
 * "Install Docker for me", composed for the desktop shell: the plan is worked out here from this
 * machine (never taken from the page) and run through the OS's privilege prompt.
 */
import type { DockerInstallResult } from '../contract/desktop.js';
import { installPlan } from '../core/doctor/install-plan.js';
import { nodeHostOs } from '../infra/system/host-os.js';
import { runPlanWithPkexec, spawnRun } from '../infra/system/privileged-install.js';

export function installDockerWithPrompt(
  env: Record<string, string | undefined>,
): Promise<DockerInstallResult> {
  return runPlanWithPkexec(installPlan(nodeHostOs(env)), spawnRun);
}
