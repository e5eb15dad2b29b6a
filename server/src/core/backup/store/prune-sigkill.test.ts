/**
 * The same invariant as prune-crash.test.ts, with a real process and a real SIGKILL: a child runs
 * the prune on a copy of the store and is killed at each step it reports (at once, and a few
 * milliseconds later), whatever it was doing in the kernel at that moment.
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cp,
  openStore,
  restoredDigest,
  retentionTemplate,
  tempFolder,
  testKey,
  type RetentionTemplate,
} from './store.test-support.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const key = testKey();
let template: RetentionTemplate;

beforeAll(async () => {
  // Ten times the crash test's data: the prune copies a few hundred pieces, long enough to be hit.
  template = await retentionTemplate(key, 10);
}, 120_000);

afterAll(async () => {
  await template.remove();
});

const CHILD = `
import { BackupStore } from ${JSON.stringify(join(here, 'backup-store.ts'))};
import { nodeStoreFiles } from ${JSON.stringify(join(here, '../../../infra/fs/node-store-files.ts'))};
const [root, key] = process.argv.slice(-2);
const store = await BackupStore.open(nodeStoreFiles(), root, Buffer.from(key, 'hex'));
await store.delete(['b2'], {
  repackThreshold: 0,
  onProgress: (step) => process.stdout.write(step + '\\n'),
});
process.stdout.write('done\\n');
`;

/** Runs the prune in a child and SIGKILLs it once `line` is printed, `delay` ms later. */
async function pruneKilled(root: string, step: string, delay: number): Promise<boolean> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', CHILD, root, Buffer.from(key).toString('hex')],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let finished = false;
  let killed = false;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const lines = chunk.split('\n');
    if (lines.includes('done')) finished = true;
    if (!killed && lines.some((line) => line.startsWith(step))) {
      killed = true;
      const kill = (): boolean => child.kill('SIGKILL');
      if (delay === 0) kill();
      else setTimeout(kill, delay);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(killed || code === 0).toBe(true);
  return killed && !finished;
}

describe('a prune killed with SIGKILL', () => {
  it('leaves every remaining backup restorable, and the next prune finishes the job', async () => {
    const steps = [
      'Reading the store',
      'Finding what',
      'Rewriting',
      'Writing the new index',
      'Removing',
    ];
    let interrupted = 0;
    for (const step of steps) {
      for (const delay of [0, 5]) {
        const root = join(await tempFolder(), 'store');
        await cp(template.root, root, { recursive: true });
        if (await pruneKilled(root, step, delay)) interrupted += 1;
        const store = await openStore(root, key);
        const names = await store.list();
        expect(names).toEqual(expect.arrayContaining(['b1', 'b3']));
        for (const name of names) {
          expect(await restoredDigest(store, name)).toEqual(template.expected[name]);
        }
        await store.delete(['b2'], { repackThreshold: 0 });
        expect(await store.list()).toEqual(['b1', 'b3']);
        expect((await store.figures()).unusedBytes).toBe(0);
        expect(await readdir(join(root, 'tmp'))).toEqual([]);
        expect(await readdir(join(root, 'index'))).toHaveLength(1);
        for (const name of ['b1', 'b3']) {
          expect((await store.verify(name)).ok).toBe(true);
        }
      }
    }
    // Most kills land before the prune ends (a kill at its last step may come after it).
    expect(interrupted).toBeGreaterThanOrEqual(8);
  }, 300_000);
});
