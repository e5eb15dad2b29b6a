/**
 * The short-lived helper containers the stack gateway makes (image readers, the ownership fixer)
 * and the clean-up of those a killed process left behind. Their maker removes them in a `finally`,
 * which a SIGKILL skips (found by killing `update` while the migrate job read its migrations out
 * of the new image): the helper then stays on the engine. Each carries its maker (`host:pid`); one
 * whose maker was a process of this machine that is gone is removed at the next use of its role.
 * An image reader of another machine (a shared remote engine) goes once it is ten minutes old,
 * when no read can still be using it; an ownership fixer may run longer, so only its maker's end
 * removes it.
 */
import { hostname } from 'node:os';
import type Docker from 'dockerode';
import { LABEL_MANAGED } from '../../core/stack/plan.js';

const LABEL_ROLE = 'org.medianest.appliance.role';
const LABEL_OWNER = 'org.medianest.appliance.owner';
const READER_ABANDONED_AFTER_S = 600;

export type HelperRole = 'image-reader' | 'ownership-helper';

/** The labels of a helper this process makes. */
export function helperLabels(role: HelperRole): Record<string, string> {
  return {
    [LABEL_MANAGED]: 'true',
    [LABEL_ROLE]: role,
    [LABEL_OWNER]: `${hostname()}:${process.pid}`,
  };
}

/** Whether `owner` names a process of this machine that no longer runs. */
export function makerGone(owner: string | undefined): boolean {
  const at = owner?.lastIndexOf(':') ?? -1;
  if (!owner || at <= 0 || owner.slice(0, at) !== hostname()) return false;
  const pid = Number(owner.slice(at + 1));
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Removes the helpers of `role` that nobody is using any more (see above); never fails. */
export async function removeAbandonedHelpers(docker: Docker, role: HelperRole): Promise<void> {
  const helpers = await docker
    .listContainers({ all: true, filters: { label: [`${LABEL_ROLE}=${role}`] } })
    .catch(() => [] as Docker.ContainerInfo[]);
  const readersBefore = Date.now() / 1000 - READER_ABANDONED_AFTER_S;
  const abandoned = helpers.filter(
    (c) =>
      makerGone(c.Labels[LABEL_OWNER]) ||
      (role === 'image-reader' && c.State === 'created' && c.Created < readersBefore),
  );
  for (const c of abandoned) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
}
