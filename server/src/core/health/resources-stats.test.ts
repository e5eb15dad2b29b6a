import { describe, expect, it } from 'vitest';
import { cpuPercent, memoryUsed, sampleFromStats, type RawStats } from './resources-stats.js';

/** A frame as the engine sends it: 4 CPUs, the container used 0.1 s of CPU in a 0.5 s window. */
const frame: RawStats = {
  read: '2026-01-01T00:00:10.5Z',
  cpu_stats: {
    cpu_usage: { total_usage: 300_000_000 },
    system_cpu_usage: 12_000_000_000,
    online_cpus: 4,
  },
  precpu_stats: {
    cpu_usage: { total_usage: 200_000_000 },
    system_cpu_usage: 10_000_000_000,
    online_cpus: 4,
  },
  memory_stats: {
    usage: 120 * 2 ** 20,
    limit: 256 * 2 ** 20,
    stats: { inactive_file: 20 * 2 ** 20 },
  },
  networks: { eth0: { rx_bytes: 1000, tx_bytes: 200 }, eth1: { rx_bytes: 24, tx_bytes: 6 } },
  blkio_stats: {
    io_service_bytes_recursive: [
      { op: 'read', value: 4096 },
      { op: 'write', value: 8192 },
      { op: 'Read', value: 4096 },
      { op: 'Total', value: 16384 },
    ],
  },
};

describe('a stats frame as docker stats shows it', () => {
  it('computes CPU % of one core from the deltas since the previous frame', () => {
    // (0.1e9 / 2e9) * 4 CPUs * 100
    expect(cpuPercent(frame)).toBeCloseTo(20, 10);
  });

  it('counts CPUs from the per-CPU list when the engine gives no online count', () => {
    const old: RawStats = {
      ...frame,
      cpu_stats: {
        cpu_usage: { total_usage: 300_000_000, percpu_usage: [1, 2] },
        system_cpu_usage: 12_000_000_000,
      },
    };
    expect(cpuPercent(old)).toBeCloseTo(10, 10);
  });

  it('says 0 on the first frame, which has no previous reading', () => {
    expect(cpuPercent({ ...frame, precpu_stats: { cpu_usage: { total_usage: 0 } } })).toBe(0);
  });

  it('leaves the page cache out of memory in use (cgroup v2 and v1)', () => {
    expect(memoryUsed(frame)).toBe(100 * 2 ** 20);
    const v1: RawStats = {
      ...frame,
      memory_stats: {
        usage: 1000,
        limit: 4000,
        stats: { total_inactive_file: 300, inactive_file: 1 },
      },
    };
    expect(memoryUsed(v1)).toBe(700);
    // A cache figure larger than usage is nonsense: usage as is.
    expect(
      memoryUsed({ ...frame, memory_stats: { usage: 10, stats: { inactive_file: 50 } } }),
    ).toBe(10);
  });

  it('adds up every network and the read and write block I/O', () => {
    expect(sampleFromStats('postgres', frame)).toEqual({
      service: 'postgres',
      at: '2026-01-01T00:00:10.500Z',
      cpuPercent: expect.closeTo(20, 10) as number,
      memoryBytes: 100 * 2 ** 20,
      memoryLimitBytes: 256 * 2 ** 20,
      networkRxBytes: 1024,
      networkTxBytes: 206,
      blockReadBytes: 8192,
      blockWriteBytes: 8192,
    });
  });

  it('drops the empty frames the engine sends for a stopped container', () => {
    expect(sampleFromStats('redis', { read: '0001-01-01T00:00:00Z', memory_stats: {} })).toBe(
      undefined,
    );
  });
});
