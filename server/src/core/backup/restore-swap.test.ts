import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanSwap, swapBack, swapIn, swapLayout } from './restore-swap.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A data folder with `uploads` and `certbot/conf` holding "old", and staged copies holding "new". */
function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'mna-swap-'));
  dirs.push(dataDir);
  const layout = swapLayout(dataDir);
  const folders = ['uploads', 'certbot/conf'].map((name) => {
    mkdirSync(join(dataDir, name), { recursive: true });
    writeFileSync(join(dataDir, name, 'file'), 'old');
    const staged = join(layout.staging, name);
    mkdirSync(staged, { recursive: true });
    writeFileSync(join(staged, 'file'), 'new');
    return { name, staged };
  });
  const read = (name: string): string => readFileSync(join(dataDir, name, 'file'), 'utf8');
  return { dataDir, layout, folders, read };
}

describe('swapping restored folders in', () => {
  it('puts the staged folders in place and keeps the previous ones aside until commit', async () => {
    const { dataDir, layout, folders, read } = setup();
    await swapIn(layout, folders);
    expect(read('uploads')).toBe('new');
    expect(read('certbot/conf')).toBe('new');
    await cleanSwap(layout);
    expect(readdirSync(dataDir).sort()).toEqual(['certbot', 'uploads']);
  });

  it('rolls back to the previous folders', async () => {
    const { dataDir, layout, folders, read } = setup();
    await swapIn(layout, folders);
    await swapBack(layout);
    expect(read('uploads')).toBe('old');
    expect(read('certbot/conf')).toBe('old');
    expect(readdirSync(dataDir).sort()).toEqual(['certbot', 'uploads']);
  });

  it('rolls back after a crash between moving a folder aside and moving its replacement in', async () => {
    const { layout, folders, read } = setup();
    const [uploads] = folders;
    if (!uploads) throw new Error('setup');
    // What swapIn had done when the process died: listed, moved aside, not yet replaced.
    mkdirSync(join(layout.previous, 'data'), { recursive: true });
    writeFileSync(join(layout.previous, 'moved.json'), JSON.stringify(['uploads']));
    renameSync(join(layout.dataDir, 'uploads'), join(layout.previous, 'data', 'uploads'));
    await swapBack(layout);
    expect(read('uploads')).toBe('old');
    expect(read('certbot/conf')).toBe('old');
  });

  it('a second rollback (crash during the first) changes nothing more', async () => {
    const { layout, folders, read } = setup();
    await swapIn(layout, folders);
    await swapBack(layout);
    await swapBack(layout);
    expect(read('uploads')).toBe('old');
  });
});
