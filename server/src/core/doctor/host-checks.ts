import type { DoctorCheck } from '../../contract/doctor.js';
import { formatBytes } from '../../contract/format-bytes.js';
import type { HostProbe } from './host-probe.js';

const GB = 1024 ** 3;
export const DISK_WARN_BYTES = 10 * GB;
export const DISK_FAIL_BYTES = 2 * GB;
export const MEMORY_WARN_BYTES = 4 * GB;

/**
 * Whether `port` is free for MediaNest's `role` port. `ownedBy` names the service of this stack that
 * already publishes it: then the holder (Docker's proxy) is MediaNest itself, not a conflict.
 */
export async function checkPort(
  probe: HostProbe,
  port: number,
  role: 'http' | 'https',
  ownedBy?: string,
): Promise<DoctorCheck> {
  const title = `Port ${port} (${role.toUpperCase()})`;
  const id = `ports.${role}`;
  if (ownedBy) {
    return { id, title, status: 'ok', summary: `MediaNest's ${ownedBy} answers on port ${port}.` };
  }
  const result = await probe.probePort(port);
  const name = role.toUpperCase();
  switch (result.state) {
    case 'free':
      return { id, title, status: 'ok', summary: `Port ${port} is free.` };
    case 'privileged':
      return {
        id,
        title,
        status: 'ok',
        summary: `Nothing listens on port ${port}; Docker publishes it with its own privileges.`,
      };
    case 'taken':
      return {
        id,
        title,
        status: 'fail',
        summary: result.holder
          ? `Port ${port} is already in use by ${result.holder}.`
          : `Port ${port} is already in use by another program.`,
        fix: `Stop the program that uses port ${port}, or choose another ${name} port for MediaNest.`,
        cliFix: `Stop the program that uses port ${port}, or choose another port for MediaNest (--${role}-port N).`,
      };
  }
}

const DISK_FIX = {
  fix: 'Free some space, or choose a data folder on a bigger disk.',
  cliFix: 'Free some space, or choose a data folder on a bigger disk (--data-dir DIR).',
};

export async function checkDisk(probe: HostProbe, dataDir: string): Promise<DoctorCheck> {
  const { path, freeBytes } = await probe.freeDiskBytes(dataDir);
  const base = { id: 'disk.data', title: 'Free disk space' };
  const summary = `${formatBytes(freeBytes)} free at ${path}.`;
  if (freeBytes < DISK_FAIL_BYTES) {
    return {
      ...base,
      status: 'fail',
      summary: `${summary} MediaNest needs at least ${formatBytes(DISK_FAIL_BYTES)} to install.`,
      ...DISK_FIX,
    };
  }
  if (freeBytes < DISK_WARN_BYTES) {
    return {
      ...base,
      status: 'warn',
      summary: `${summary} Under ${formatBytes(DISK_WARN_BYTES)} leaves little room for the database, uploads and backups.`,
      ...DISK_FIX,
    };
  }
  return { ...base, status: 'ok', summary };
}

/** Memory that containers can use: the engine's (a VM on macOS and Windows) when known, else the host's. */
export function checkMemory(probe: HostProbe, engineMemoryBytes?: number): DoctorCheck {
  const fromEngine = engineMemoryBytes !== undefined && engineMemoryBytes > 0;
  const bytes = fromEngine ? engineMemoryBytes : probe.totalMemoryBytes();
  const whose = fromEngine ? 'The Docker engine has' : 'This computer has';
  const base = { id: 'memory', title: 'Memory' };
  if (bytes < MEMORY_WARN_BYTES) {
    return {
      ...base,
      status: 'warn',
      summary: `${whose} ${formatBytes(bytes)} of memory; MediaNest runs best with at least ${formatBytes(MEMORY_WARN_BYTES)}.`,
      fix: fromEngine
        ? 'Give the engine more memory (Docker Desktop: Settings > Resources), or leave the optional profiles off.'
        : 'Leave the optional profiles (monitoring, dev tools) off, or add memory.',
    };
  }
  return { ...base, status: 'ok', summary: `${whose} ${formatBytes(bytes)} of memory.` };
}
