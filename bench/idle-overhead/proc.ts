/**
 * CPU and memory of processes from /proc, and the engine's processes: dockerd, the containerd it
 * runs, and the shims of given containers. Stats requests make all three work (dockerd asks
 * containerd, which asks the container's shim, which reads the cgroup), so the engine's cost of a
 * stats request is their sum, not dockerd's alone.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** utime + stime of a process, in seconds of CPU (0 once it is gone). */
export function cpuSeconds(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? NaN) * 1024;
}

function processes(): Array<{ pid: number; ppid: number; args: string[] }> {
  const out: Array<{ pid: number; ppid: number; args: string[] }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.push({ pid: Number(name), ppid, args });
    } catch {
      // Gone while listing.
    }
  }
  return out;
}

export interface EngineProcesses {
  dockerd: number;
  containerd: number[];
  shims: number[];
}

/** dockerd, its containerd, and the shims of the given containers (full ids). */
export function engineProcesses(dockerdPid: number, containerIds: string[]): EngineProcesses {
  const all = processes();
  const ids = new Set(containerIds);
  return {
    dockerd: dockerdPid,
    containerd: all
      .filter((p) => p.ppid === dockerdPid && p.args[0]?.endsWith('containerd'))
      .map((p) => p.pid),
    shims: all
      .filter((p) => p.args[0]?.includes('containerd-shim'))
      .filter((p) => ids.has(p.args[p.args.indexOf('-id') + 1] ?? ''))
      .map((p) => p.pid),
  };
}

/**
 * Throws when a process of the engine has gone since it was listed: the rig was restarted (other
 * helpers share it) and the windows compare two different engines.
 */
export function assertSameEngine(engine: EngineProcesses): void {
  const gone = [engine.dockerd, ...engine.containerd, ...engine.shims].filter(
    (pid) => !existsSync(`/proc/${pid}`),
  );
  if (gone.length > 0)
    throw new Error(
      `the engine restarted during the run (pids ${gone.join(', ')} gone): no figures`,
    );
}

/** CPU seconds so far of dockerd, containerd, the shims, and the whole engine. */
export interface EngineFigures {
  dockerd: number;
  containerd: number;
  shims: number;
  total: number;
}

export function engineCpu(engine: EngineProcesses): EngineFigures {
  const sum = (pids: number[]): number => pids.reduce((s, p) => s + cpuSeconds(p), 0);
  const dockerd = cpuSeconds(engine.dockerd);
  const containerd = sum(engine.containerd);
  const shims = sum(engine.shims);
  return { dockerd, containerd, shims, total: dockerd + containerd + shims };
}

/** Per second of `seconds`, in % of one core. */
export function percentOf(before: EngineFigures, after: EngineFigures, seconds: number) {
  const p = (key: keyof EngineFigures): number => ((after[key] - before[key]) / seconds) * 100;
  return {
    dockerd: p('dockerd'),
    containerd: p('containerd'),
    shims: p('shims'),
    total: p('total'),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The engine's CPU in % of one core over `ms`. */
export async function enginePercent(engine: EngineProcesses, ms: number): Promise<EngineFigures> {
  const before = engineCpu(engine);
  const start = performance.now();
  await sleep(ms);
  return percentOf(before, engineCpu(engine), (performance.now() - start) / 1000);
}
