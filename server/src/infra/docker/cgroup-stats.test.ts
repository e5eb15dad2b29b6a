import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { totalmem, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleFromStats } from '../../core/health/resources-stats.js';
import { locateCgroup, readCgroupStats, systemCpu, type CgroupRoots } from './cgroup-stats.js';

const ID = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
const PROC_STAT = [
  'cpu  1000 10 300 8000 50 0 40 7 0 0',
  'cpu0 500 5 150 4000 25 0 20 3 0 0',
  'cpu1 500 5 150 4000 25 0 20 4 0 0',
  'intr 12345',
].join('\n');
const NET_DEV = [
  'Inter-|   Receive                                                |  Transmit',
  ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
  '    lo:    9012     144    0    0    0     0          0         0     9012     144    0    0    0     0       0          0',
  '  eth0:    1923      24    0    0    0     0          0         0      368       6    0    0    0     0       0          0',
  '  eth1:     100       2    0    0    0     0          0         0       32       1    0    0    0     0       0          0',
].join('\n');

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

function tree(files: Record<string, string>): CgroupRoots {
  root = mkdtempSync(join(tmpdir(), 'mna-cgroup-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return { cgroup: join(root, 'sys'), proc: join(root, 'proc') };
}

/** A cgroup v1 host (like the rig's) with the container's process 4242. */
function v1(id = ID): CgroupRoots {
  const d = (controller: string): string => `sys/${controller}/docker/${id}`;
  return tree({
    'proc/4242/cgroup': [
      `7:blkio:/docker/${id}`,
      `4:memory:/docker/${id}`,
      `2:cpu,cpuacct:/docker/${id}`,
      `0::/docker/${id}`,
    ].join('\n'),
    'proc/4242/net/dev': NET_DEV,
    'proc/stat': PROC_STAT,
    [`${d('memory')}/cgroup.procs`]: '4242\n4300\n',
    [`${d('memory')}/memory.usage_in_bytes`]: '14954496\n',
    [`${d('memory')}/memory.limit_in_bytes`]: '536870912\n',
    [`${d('memory')}/memory.stat`]:
      'cache 11149312\ninactive_file 5750784\ntotal_inactive_file 5750784\n',
    [`${d('cpu,cpuacct')}/cpuacct.usage`]: '512222931\n',
    [`${d('blkio')}/blkio.throttle.io_service_bytes`]:
      '8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 100\n8:0 Total 12288\nTotal 12288\n',
  });
}

describe('cgroup files read as the engine reports them', () => {
  it('finds a v1 container through its process and reads the stats API figures', async () => {
    const roots = v1();
    const where = await locateCgroup(ID, 4242, true, roots);
    expect(where?.version).toBe(1);
    const raw = await readCgroupStats(where!, roots);
    expect(raw?.cpu_stats).toEqual({
      cpu_usage: { total_usage: 512222931 },
      // (1000 + 10 + 300 + 8000 + 50 + 0 + 40) ticks of 10 ms: steal and guest left out.
      system_cpu_usage: 9400 * 1e7,
      online_cpus: 2,
    });
    const sample = sampleFromStats('redis', raw!);
    expect(sample).toMatchObject({
      service: 'redis',
      memoryBytes: 14954496 - 5750784,
      memoryLimitBytes: 536870912,
      // Loopback left out, as in the engine's figures.
      networkRxBytes: 1923 + 100,
      networkTxBytes: 368 + 32,
      blockReadBytes: 4096,
      blockWriteBytes: 8192,
    });
  });

  it('finds a v2 container and reads memory.current, cpu.stat and io.stat', async () => {
    const dir = `sys/system.slice/docker-${ID}.scope`;
    const roots = tree({
      'sys/cgroup.controllers': 'cpu io memory pids\n',
      'proc/77/cgroup': `0::/system.slice/docker-${ID}.scope\n`,
      'proc/77/net/dev': NET_DEV,
      'proc/stat': PROC_STAT,
      [`${dir}/cgroup.procs`]: '77\n',
      [`${dir}/memory.current`]: '2000000\n',
      [`${dir}/memory.max`]: 'max\n',
      [`${dir}/memory.stat`]: 'anon 1000\ninactive_file 500000\n',
      [`${dir}/cpu.stat`]: 'usage_usec 3000\nuser_usec 2000\nsystem_usec 1000\n',
      [`${dir}/io.stat`]: '8:0 rbytes=10 wbytes=20 rios=1 wios=2\n8:16 rbytes=5 wbytes=0\n',
    });
    const where = await locateCgroup(ID, 77, true, roots);
    expect(where?.version).toBe(2);
    const raw = await readCgroupStats(where!, roots);
    expect(raw?.cpu_stats?.cpu_usage?.total_usage).toBe(3_000_000);
    expect(sampleFromStats('backend', raw!)).toMatchObject({
      memoryBytes: 1_500_000,
      // No limit: the machine's memory, as the engine says.
      memoryLimitBytes: totalmem(),
      blockReadBytes: 15,
      blockWriteBytes: 20,
    });
  });

  it('refuses a process whose cgroup is not the container (an engine in a VM has other pids)', async () => {
    const roots = v1(OTHER);
    expect(await locateCgroup(ID, 4242, true, roots)).toBeUndefined();
    expect(await locateCgroup(ID, 999, true, roots)).toBeUndefined();
    expect(await locateCgroup('../etc', 4242, true, roots)).toBeUndefined();
  });

  it('gives no reading once the container stopped (its cgroup is empty or gone)', async () => {
    const roots = v1();
    const where = (await locateCgroup(ID, 4242, true, roots))!;
    writeFileSync(join(root, `sys/memory/docker/${ID}/cgroup.procs`), '');
    expect(await readCgroupStats(where, roots)).toBeUndefined();
    rmSync(join(root, 'sys/memory/docker'), { recursive: true });
    expect(await readCgroupStats(where, roots)).toBeUndefined();
  });

  it('reports no network for a container on the host network, as the engine does', async () => {
    const roots = v1();
    const where = (await locateCgroup(ID, 4242, false, roots))!;
    const raw = await readCgroupStats(where, roots);
    expect(raw?.networks).toBeUndefined();
    expect(sampleFromStats('nginx', raw!)?.networkRxBytes).toBe(0);
  });

  it('counts the online CPUs from /proc/stat', () => {
    expect(systemCpu(PROC_STAT).online).toBe(2);
  });
});
