// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EVENTS_PATH, type ApiClient, type Job, type ServerEvent } from '@contract';
import { runJob } from './follow-job';
import type { JobView } from './job-view';
import { useLiveStore } from './live-store';

/** One `/api/events` connection the test writes to and can drop. */
interface Connection {
  send(event: ServerEvent, id: string): void;
  drop(): void;
}

let connections: Connection[] = [];
let otherRequests: string[] = [];
const initial = useLiveStore.getState();

beforeEach(() => {
  connections = [];
  otherRequests = [];
  vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
    if (url !== EVENTS_PATH) {
      otherRequests.push(url);
      return Promise.reject(new Error('not in this test'));
    }
    const encoder = new TextEncoder();
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => (controller = c) });
    (init.signal as AbortSignal).addEventListener('abort', () =>
      controller.error(new Error('closed')),
    );
    connections.push({
      send: (event, id) =>
        controller.enqueue(encoder.encode(`id: ${id}\ndata: ${JSON.stringify(event)}\n\n`)),
      drop: () => controller.close(),
    });
    return Promise.resolve(new Response(body, { status: 200 }));
  });
});

afterEach(() => {
  useLiveStore.getState().stop();
  useLiveStore.setState(initial, true);
  vi.unstubAllGlobals();
});

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

/** A client whose `job` answers `state()` and counts its calls; every other call fails. */
function clientWith(state: () => Job['state']) {
  const reads: string[] = [];
  const job = ({ id }: { id: string }): Promise<Job> => {
    reads.push(id);
    return Promise.resolve({
      id,
      kind: 'backup',
      state: state(),
      step: null,
      percent: null,
      startedAt: '2026-12-07T12:00:00.000Z',
      finishedAt: null,
      error: state() === 'failed' ? { code: 'internal', message: 'disk full' } : null,
    });
  };
  const answers: Record<string, unknown> = { job };
  const client = new Proxy(answers, {
    get: (target, name: string) =>
      target[name] ?? (() => Promise.reject(new Error(`${name}: not in this test`))),
  }) as unknown as ApiClient;
  return { client, reads };
}

const progressed = (step: string, percent: number): ServerEvent => ({
  type: 'job.progressed',
  jobId: 'j1',
  kind: 'backup',
  step,
  percent,
});

describe('following a job a page started', () => {
  it('follows it on the one event stream, with a single read of the job and no polling', async () => {
    const { client, reads } = clientWith(() => 'running');
    useLiveStore.getState().start(client, undefined);
    await until(() => useLiveStore.getState().stream === 'open');
    const stream = connections[0]!;
    const views: JobView[] = [];
    const done = runJob(() => Promise.resolve({ jobId: 'j1', kind: 'backup' }), {
      onJob: (view) => views.push(view),
    });
    await until(() => views.length > 0);
    stream.send(progressed('Dumping the database', 40), 'e-1');
    await until(() => views.at(-1)?.step === 'Dumping the database');
    stream.send({ type: 'job.finished', jobId: 'j1', kind: 'backup', outcome: 'succeeded' }, 'e-2');
    const final = await done;
    expect(final).toMatchObject({ id: 'j1', outcome: 'succeeded', step: 'Dumping the database' });
    expect(views.map((v) => [v.step, v.percent, v.outcome])).toEqual([
      ['', undefined, 'running'],
      ['Dumping the database', 40, 'running'],
      ['Dumping the database', 40, 'succeeded'],
    ]);
    // Some time later: still one stream, and the job was read once (to catch up), never polled.
    await new Promise((r) => setTimeout(r, 2500));
    expect(connections).toHaveLength(1);
    expect(reads).toEqual(['j1']);
    expect(otherRequests.filter((url) => url.includes('/api/jobs/'))).toEqual([]);
  }, 15_000);

  it('learns an end the stream missed by reading the job again when the stream is back', async () => {
    let state: Job['state'] = 'running';
    const { client, reads } = clientWith(() => state);
    useLiveStore.getState().start(client, undefined);
    await until(() => useLiveStore.getState().stream === 'open');
    const views: JobView[] = [];
    const done = runJob(() => Promise.resolve({ jobId: 'j1', kind: 'backup' }), {
      onJob: (view) => views.push(view),
    });
    await until(() => reads.length === 1);
    // The stream drops; the job fails meanwhile and its event is not replayed.
    connections[0]!.drop();
    state = 'failed';
    const final = await done;
    expect(connections).toHaveLength(2);
    expect(reads).toEqual(['j1', 'j1']);
    expect(final).toMatchObject({
      outcome: 'failed',
      error: { code: 'internal', message: 'disk full' },
    });
  }, 15_000);
});
