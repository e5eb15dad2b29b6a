/**
 * bench/renderer: the UI's three targets from issue 8, each beside a baseline from the same run.
 *
 *   flock /tmp/mna-build.lock npm run -s build && npx tsx bench/renderer/run.ts [--seconds 10]
 *
 * 1. First screen JavaScript, gzip: the entry script and what index.html preloads (the code the
 *    first screen cannot do without), against all JavaScript of the build. Target < 350 KB.
 * 2. First meaningful paint from a warm server: `serve`'s own server (in process, no engine
 *    needed), a fresh browser context per load (no HTTP cache), time from navigation start until
 *    the signed-in dashboard shows its navigation and its first card's heading; baseline: first contentful paint
 *    of a one-heading page in the same browser. Target < 1 s (median of the runs).
 * 3. The log view following 2,000 lines a second, on top of a full 100 000-line buffer: frame
 *    times from requestAnimationFrame deltas and long tasks from PerformanceObserver, against the
 *    same page idle. The lines come from a stand-in for the follow stream inside the page (a
 *    ReadableStream answering fetch of /api/logs/follow), so the rate is exact and its cost is
 *    counted against the page. Target: no frame over 50 ms.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from '@playwright/test';
import { createServer } from '../../server/src/index.js';
import { createLogger } from '../../server/src/infra/log/logger.js';
import { CHROMIUM } from '../../tests/e2e/playwright.config.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    loads: { type: 'string', default: '7' },
    prefill: { type: 'string', default: '100000' },
  },
});
const SECONDS = Number(values.seconds);
const LOADS = Number(values.loads);
const PREFILL = Number(values.prefill);
const DIST = fileURLToPath(new URL('../../dist/renderer', import.meta.url));
const KB = 1024;
const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const line = (what: string, value: string, target: string, ok: boolean) =>
  console.log(
    `${what.padEnd(52)} ${value.padStart(24)}   target ${target.padEnd(10)} ${ok ? 'OK' : 'MISSED'}`,
  );

/** The entry script, and every chunk it imports statically (not `import()`), transitively. */
function bundleSizes(): { first: number; all: number; files: string[] } {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const files = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const code = readFileSync(join(DIST, file), 'utf8');
    for (const m of code.matchAll(/(?:import|from)\s*["']\.\/([\w.-]+\.js)["']/g)) {
      if (m[1]) visit(join('assets', m[1]));
    }
  };
  for (const m of html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g)) if (m[1]) visit(m[1]);
  const gz = (file: string) => gzipSync(readFileSync(join(DIST, file))).length;
  const all = readdirSync(join(DIST, 'assets'))
    .filter((f) => f.endsWith('.js'))
    .reduce((sum, f) => sum + gz(join('assets', f)), 0);
  return { first: [...files].reduce((sum, f) => sum + gz(f), 0), all, files: [...files] };
}

/** Signs the page in as the desktop shell does and says a stack is installed (no redirect to /setup). */
async function prepare(page: Page, token: string): Promise<void> {
  // tsx compiles this file with esbuild's keepNames: functions sent to the page call `__name`.
  await page.addInitScript({ content: 'window.__name = (f) => f;' });
  await page.addInitScript((t: string) => {
    Object.defineProperty(window, 'desktop', {
      value: {
        getToken: () => Promise.resolve(t),
        chooseFolder: () => Promise.resolve(undefined),
        saveFile: () => Promise.resolve(undefined),
        revealInFolder: () => Promise.resolve(),
        version: () => Promise.resolve('bench'),
      },
    });
  }, token);
  await page.route('**/api/settings', (route) =>
    route.fulfill({ json: { environment: 'production', httpPort: 8080 } }),
  );
}

async function firstPaint(browser: Browser, url: string, token: string) {
  const app: number[] = [];
  const blank: number[] = [];
  for (let i = 0; i < LOADS + 1; i += 1) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await prepare(page, token);
    await page.goto(`${url}/`, { waitUntil: 'commit' });
    const at = await page.waitForFunction(
      () =>
        document.querySelector('nav[aria-label="Main"]') && document.querySelector('main h2')
          ? performance.now()
          : false,
      undefined,
      { polling: 'raf' },
    );
    const ms = (await at.jsonValue()) as number;
    if (i > 0) app.push(ms); // the first load warms the server's file cache
    await page.setContent('<!doctype html><title>b</title><h1>Baseline</h1>');
    await page.goto('about:blank');
    await page.setContent('<!doctype html><title>b</title><h1>Baseline</h1>');
    blank.push(
      await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            new PerformanceObserver((list) => {
              const fcp = list.getEntries().find((e) => e.name === 'first-contentful-paint');
              if (fcp) resolve(fcp.startTime);
            }).observe({ type: 'paint', buffered: true });
          }),
      ),
    );
    await context.close();
  }
  return { app: median(app), blank: median(blank) };
}

/** Frame deltas and long tasks for `seconds` on the page as it is. */
async function frames(page: Page, seconds: number) {
  return page.evaluate(
    (ms) =>
      new Promise<{ max: number; p99: number; over50: number; frames: number; longTasks: number }>(
        (resolve) => {
          const deltas: number[] = [];
          let longTasks = 0;
          const observer = new PerformanceObserver(
            (list) => (longTasks += list.getEntries().length),
          );
          observer.observe({ type: 'longtask' });
          let last = performance.now();
          const end = last + ms;
          const tick = (now: number) => {
            deltas.push(now - last);
            last = now;
            if (now < end) requestAnimationFrame(tick);
            else {
              observer.disconnect();
              const sorted = [...deltas].sort((a, b) => a - b);
              resolve({
                max: sorted.at(-1) ?? 0,
                p99: sorted[Math.floor(sorted.length * 0.99)] ?? 0,
                over50: deltas.filter((d) => d > 50).length,
                frames: deltas.length,
                longTasks,
              });
            }
          };
          requestAnimationFrame(tick);
        },
      ),
    seconds * 1000,
  );
}

/** A follow stream inside the page: a 100 000-line tail at once, then 2,000 lines a second. */
function fakeFollow({ linesPerSecond, prefill }: { linesPerSecond: number; prefill: number }) {
  const realFetch = window.fetch.bind(window);
  const w = window as unknown as { __follow: boolean };
  w.__follow = false;
  window.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.includes('/api/logs/follow')) return realFetch(input, init);
    const encoder = new TextEncoder();
    let n = 0;
    const lineAt = () => {
      n += 1;
      return {
        time: new Date().toISOString().replace('Z', '000000Z'),
        service: ['postgres', 'redis', 'backend', 'nginx'][n % 4],
        container: 'bench-1',
        stream: n % 10 === 0 ? 'stderr' : 'stdout',
        level: (['info', 'debug', 'warn', 'error'] as const)[n % 4],
        text: `line ${n}: GET /api/media/${n % 997} 200 ${n % 50} ms user=${n % 13} lorem ipsum`,
      };
    };
    const message = (count: number) =>
      encoder.encode(
        `data: ${JSON.stringify({ type: 'logs.lines', lines: Array.from({ length: count }, lineAt) })}\n\n`,
      );
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < prefill; i += 10_000) controller.enqueue(message(10_000));
        const perTick = linesPerSecond / 20;
        setInterval(() => {
          if (w.__follow) controller.enqueue(message(perTick));
        }, 50);
      },
    });
    return Promise.resolve(
      new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    );
  };
}

async function logFollow(browser: Browser, url: string, token: string) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await prepare(page, token);
  await page.addInitScript(fakeFollow, { linesPerSecond: 2000, prefill: PREFILL });
  await page.goto(`${url}/logs`);
  await page.waitForFunction(
    (n) => document.body.innerText.includes(`${n.toLocaleString()} lines shown`),
    PREFILL,
  );
  const idle = await frames(page, SECONDS / 2);
  await page.evaluate(() => ((window as unknown as { __follow: boolean }).__follow = true));
  const busy = await frames(page, SECONDS);
  const shown = await page.locator('[data-field="follow-state"]').innerText();
  const heap = await page.evaluate(
    () =>
      (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ??
      0,
  );
  const rows = await page.locator('.vrow').count();
  await page.close();
  return { idle, busy, shown, heap, rows };
}

async function main(): Promise<void> {
  const sizes = bundleSizes();
  console.log(`first screen: ${sizes.files.join(', ')}`);
  line(
    '1. first-screen JS, gzip (all JS of the build)',
    `${(sizes.first / KB).toFixed(1)} KB (${(sizes.all / KB).toFixed(1)} KB)`,
    '< 350 KB',
    sizes.first < 350 * KB,
  );
  console.log(`   ratio first screen / all JS: ${(sizes.first / sizes.all).toFixed(2)}`);

  const home = mkdtempSync(join(tmpdir(), 'mna-bench-ui-'));
  const server = createServer({
    home,
    env: { ...process.env, DOCKER_HOST: process.env.DOCKER_HOST ?? 'unix:///nonexistent.sock' },
    monitorHealth: false,
    logger: createLogger({ write: () => undefined }),
  });
  const { url, token } = await server.start();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--enable-precise-memory-info',
    ],
  });
  try {
    const paint = await firstPaint(browser, url, token);
    line(
      '2. first meaningful paint, warm server (median)',
      `${paint.app.toFixed(0)} ms`,
      '< 1000 ms',
      paint.app < 1000,
    );
    console.log(
      `   baseline: FCP of a one-heading page ${paint.blank.toFixed(0)} ms; ratio ${(paint.app / paint.blank).toFixed(1)}x`,
    );
    const logs = await logFollow(browser, url, token);
    line(
      '3. longest frame, following 2,000 lines/s at 100k',
      `${logs.busy.max.toFixed(1)} ms`,
      '< 50 ms',
      logs.busy.max < 50,
    );
    console.log(
      `   following: ${logs.busy.frames} frames, p99 ${logs.busy.p99.toFixed(1)} ms, ${logs.busy.over50} over 50 ms, ${logs.busy.longTasks} long tasks; ${logs.rows} rows in the DOM`,
    );
    console.log(
      `   baseline (same page idle): max ${logs.idle.max.toFixed(1)} ms, p99 ${logs.idle.p99.toFixed(1)} ms; ratio of max ${(logs.busy.max / logs.idle.max).toFixed(2)}x`,
    );
    console.log(`   ${logs.shown.trim()}`);
    console.log(`   JS heap at the end: ${(logs.heap / KB / KB).toFixed(0)} MB`);
  } finally {
    await browser.close();
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
