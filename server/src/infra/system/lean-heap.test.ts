/**
 * preferSmallHeap takes effect in a running process: the same allocation pattern (batches of
 * objects that live a while, then die) peaks at a much smaller heap with it than without.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const leanHeap = fileURLToPath(new URL('./lean-heap.ts', import.meta.url));

async function peakHeap(lean: boolean): Promise<number> {
  const script = `
    ${lean ? `const { preferSmallHeap } = await import(${JSON.stringify(leanHeap)}); preferSmallHeap();` : ''}
    const live = [];
    let peak = 0;
    for (let round = 0; round < 200; round += 1) {
      live.push(Array.from({ length: 20000 }, (_, i) => ({ i, s: 'entry-' + round + '-' + i })));
      if (live.length > 20) live.shift();
      peak = Math.max(peak, process.memoryUsage().heapTotal);
    }
    console.log(peak);`;
  const { stdout } = await run(process.execPath, [
    '--import',
    'tsx',
    '--input-type=module',
    '-e',
    script,
  ]);
  return Number(stdout.trim());
}

describe('the lean heap setting', () => {
  it('keeps the heap far smaller for the same live data and garbage', async () => {
    const [normal, lean] = await Promise.all([peakHeap(false), peakHeap(true)]);
    // ~250-290 MB against ~130-140 MB on this machine; the live data alone is ~60 MB.
    expect(lean).toBeLessThan(normal * 0.75);
  }, 60_000);
});
