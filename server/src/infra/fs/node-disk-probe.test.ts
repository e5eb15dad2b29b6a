import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diskUsageReader } from '../../core/health/disk-usage.js';
import { NodeDiskProbe } from './node-disk-probe.js';

let dir: string;
afterEach(() => {
  chmodSync(join(dir, 'data', 'private'), 0o700);
  rmSync(dir, { recursive: true, force: true });
});

describe('disk usage of the data and backup folders', () => {
  it('adds up the files, says what it could not read, and reads free space', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mna-disk-'));
    const data = join(dir, 'data');
    mkdirSync(join(data, 'uploads', 'a'), { recursive: true });
    mkdirSync(join(data, 'private'));
    writeFileSync(join(data, 'uploads', 'one.bin'), Buffer.alloc(1000));
    writeFileSync(join(data, 'uploads', 'a', 'two.bin'), Buffer.alloc(2500));
    writeFileSync(join(data, 'private', 'hidden.bin'), Buffer.alloc(9999));
    // A link out of the folder is not followed (it could point at the whole disk).
    symlinkSync(tmpdir(), join(data, 'link'));
    chmodSync(join(data, 'private'), 0o000);
    let clock = 0;
    const read = diskUsageReader({
      probe: new NodeDiskProbe(),
      dataDir: () => data,
      backupsDir: () => join(dir, 'backups'),
      now: () => new Date(clock),
    });
    const usage = await read();
    const asRoot = process.getuid?.() === 0;
    expect(usage.data).toMatchObject({
      path: data,
      exists: true,
      usedBytes: asRoot ? 13_499 : 3500,
      partial: !asRoot,
    });
    expect(usage.data.filesystemTotalBytes).toBeGreaterThan(0);
    expect(usage.data.filesystemFreeBytes).toBeLessThanOrEqual(usage.data.filesystemTotalBytes);
    // Not created yet: nothing used, free space of the file system it will live on.
    expect(usage.backups).toMatchObject({ exists: false, usedBytes: 0, partial: false });
    expect(usage.backups.filesystemTotalBytes).toBe(usage.data.filesystemTotalBytes);

    // Within the minute the measurement is reused; after it, measured again.
    writeFileSync(join(data, 'uploads', 'three.bin'), Buffer.alloc(500));
    clock = 30_000;
    expect((await read()).data.usedBytes).toBe(usage.data.usedBytes);
    clock = 61_000;
    expect((await read()).data.usedBytes).toBe(usage.data.usedBytes + 500);
  });
});
