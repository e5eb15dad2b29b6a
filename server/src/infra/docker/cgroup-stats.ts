import { readFile } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import type { RawStats } from '../../core/health/resources-stats.js';

/**
 * A container's counters read from the kernel's cgroup files where the engine runs on this
 * machine: the same figures the engine's stats API gives (it reads these files through containerd
 * and the container's shim), without making the engine, containerd and a shim work for each one.
 */

/** Where one container's counters are, found once from its main process. */
export interface CgroupLocation {
  version: 1 | 2;
  /** Folders of the memory, CPU accounting and block I/O controllers (one folder in v2). */
  memory: string;
  cpu: string;
  io: string;
  /** Whether the container has its own network namespace (not `host` or another container's). */
  ownNetwork: boolean;
}

export interface CgroupRoots {
  /** Where the cgroup file systems are mounted (`/sys/fs/cgroup`). */
  cgroup: string;
  /** The proc file system (`/proc`). */
  proc: string;
}

export const HOST_ROOTS: CgroupRoots = { cgroup: '/sys/fs/cgroup', proc: '/proc' };

const isMissing = (error: unknown): boolean =>
  (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' ||
  (error as NodeJS.ErrnoException | undefined)?.code === 'ESRCH';

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  return (await readText(path).catch(() => undefined)) !== undefined;
}

/**
 * Finds the cgroup folders of a container from `/proc/<pid>/cgroup` of its main process.
 * Undefined when they cannot be used: the engine runs elsewhere (a VM, where the pid is another
 * machine's), the paths do not name the container, or the files cannot be read.
 */
export async function locateCgroup(
  containerId: string,
  pid: number,
  ownNetwork: boolean,
  roots: CgroupRoots = HOST_ROOTS,
): Promise<CgroupLocation | undefined> {
  if (!/^[0-9a-f]{64}$/.test(containerId) || !Number.isInteger(pid) || pid <= 0) return undefined;
  const text = await readText(join(roots.proc, String(pid), 'cgroup')).catch(() => undefined);
  if (!text) return undefined;
  const lines = text
    .split('\n')
    .map((line) => /^(\d+):([^:]*):(\/.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(([, id, controllers, path]) => ({ id, controllers: controllers ?? '', path: path ?? '' }));
  // A pid of another machine or namespace would lead to some other process's cgroup.
  const named = (path: string): boolean => path.includes(containerId) && !path.includes('..');
  let location: CgroupLocation | undefined;
  if (await exists(join(roots.cgroup, 'cgroup.controllers'))) {
    const unified = lines.find((l) => l.id === '0' && l.controllers === '');
    if (!unified || !named(unified.path)) return undefined;
    const dir = join(roots.cgroup, unified.path);
    location = { version: 2, memory: dir, cpu: dir, io: dir, ownNetwork };
  } else {
    const of = (controller: string): string | undefined => {
      const line = lines.find((l) => l.controllers.split(',').includes(controller));
      return line && named(line.path) ? join(roots.cgroup, line.controllers, line.path) : undefined;
    };
    const [memory, cpu, io] = [of('memory'), of('cpuacct'), of('blkio')];
    if (!memory || !cpu || !io) return undefined;
    location = { version: 1, memory, cpu, io, ownNetwork };
  }
  // Readable now, or the engine's API is the way (e.g. files hidden from this user).
  const probe = await readCgroupStats(location, roots).catch(() => undefined);
  return probe ? location : undefined;
}

/** `key value` lines (memory.stat, cpu.stat) as numbers. */
function keyValues(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) out[key] = Number(value);
  }
  return out;
}

/**
 * The host's CPU time in nanoseconds as the engine counts it (user, nice, system, idle, iowait,
 * irq and softirq of `/proc/stat`'s first line, in clock ticks of 1/100 s) and its online CPUs.
 */
export function systemCpu(procStat: string): { systemNs: number; online: number } {
  const lines = procStat.split('\n');
  const fields = (lines[0] ?? '').trim().split(/\s+/).slice(1, 8).map(Number);
  const ticks = fields.reduce((sum, n) => sum + (Number.isFinite(n) ? n : 0), 0);
  const online = lines.filter((l) => /^cpu\d+\s/.test(l)).length;
  return { systemNs: (ticks * 1e9) / 100, online };
}

/** Received and sent bytes of every interface but loopback, from `/proc/<pid>/net/dev`. */
export function networkCounters(netDev: string): NonNullable<RawStats['networks']> {
  const out: NonNullable<RawStats['networks']> = {};
  for (const line of netDev.split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    const iface = name?.trim();
    if (!iface || rest === undefined || iface === 'lo') continue;
    const n = rest.trim().split(/\s+/).map(Number);
    out[iface] = { rx_bytes: n[0] ?? 0, tx_bytes: n[8] ?? 0 };
  }
  return out;
}

/** Block I/O entries: v1 `blkio.throttle.io_service_bytes` (`8:0 Read 4096`) or v2 `io.stat`. */
export function blockEntries(text: string, version: 1 | 2): Array<{ op: string; value: number }> {
  const out: Array<{ op: string; value: number }> = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (version === 1) {
      // `Total N` and the per-device totals are sums of the others.
      if (parts.length === 3 && parts[1] !== 'Total') {
        out.push({ op: parts[1] ?? '', value: Number(parts[2]) });
      }
      continue;
    }
    for (const pair of parts.slice(1)) {
      const [key, value] = pair.split('=');
      if (key === 'rbytes') out.push({ op: 'read', value: Number(value) });
      if (key === 'wbytes') out.push({ op: 'write', value: Number(value) });
    }
  }
  return out;
}

/** The engine reports no limit as the machine's memory. */
function limitOf(text: string): number {
  const value = text.trim();
  const machine = totalmem();
  if (!/^\d+$/.test(value)) return machine;
  return Math.min(Number(value), machine);
}

/**
 * One reading in the engine's stats format (`precpu_stats` left out: the sampler keeps the
 * previous reading). Undefined when the container does not run (no process in its cgroup, or the
 * cgroup is gone).
 */
export async function readCgroupStats(
  where: CgroupLocation,
  roots: CgroupRoots = HOST_ROOTS,
): Promise<RawStats | undefined> {
  const v1 = where.version === 1;
  const files = await Promise.all([
    readText(join(where.memory, 'cgroup.procs')),
    readText(join(where.memory, v1 ? 'memory.usage_in_bytes' : 'memory.current')),
    readText(join(where.memory, v1 ? 'memory.limit_in_bytes' : 'memory.max')),
    readText(join(where.memory, 'memory.stat')),
    readText(join(where.cpu, v1 ? 'cpuacct.usage' : 'cpu.stat')),
    readText(join(where.io, v1 ? 'blkio.throttle.io_service_bytes' : 'io.stat')),
    readText(join(roots.proc, 'stat')),
  ]);
  const [procs, usage, limit, memoryStat, cpu, io, procStat] = files;
  const pid = procs?.split('\n')[0]?.trim();
  if (!pid || usage === undefined || cpu === undefined || procStat === undefined) return undefined;
  // Any process of the container sees its network namespace.
  const netDev = where.ownNetwork ? await readText(join(roots.proc, pid, 'net', 'dev')) : '';
  if (netDev === undefined) return undefined;
  const { systemNs, online } = systemCpu(procStat);
  const totalUsage = v1 ? Number(cpu.trim()) : (keyValues(cpu).usage_usec ?? 0) * 1000;
  return {
    read: new Date().toISOString(),
    cpu_stats: {
      cpu_usage: { total_usage: totalUsage },
      system_cpu_usage: systemNs,
      online_cpus: online,
    },
    memory_stats: {
      usage: Number(usage.trim()),
      limit: limitOf(limit ?? ''),
      stats: keyValues(memoryStat ?? ''),
    },
    ...(where.ownNetwork ? { networks: networkCounters(netDev) } : {}),
    blkio_stats: { io_service_bytes_recursive: blockEntries(io ?? '', where.version) },
  };
}
