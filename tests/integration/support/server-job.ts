/**
 * A stack job the way the UI starts one: a real server on the test's home, its event stream
 * recorded, `POST /api/stack/:action`, and the job followed to its end.
 */
import { ApiError, createApiClient } from '../../../server/src/contract/client.js';
import type { ServerEvent } from '../../../server/src/contract/events.js';
import { createServer } from '../../../server/src/index.js';
import { createLogger } from '../../../server/src/infra/log/logger.js';
import { recordEvents } from './events.js';

export interface FinishedJob {
  outcome: Extract<ServerEvent, { type: 'job.finished' }>['outcome'];
  error?: { message: string };
  /** The job's progress steps, in order. */
  steps: string[];
  /** What the server logged meanwhile (its clean-up at start says what it settled). */
  log: string[];
}

/** The messages of the app's JSON log lines. */
const messagesOf = (lines: string[]): string[] =>
  lines.map((line) => {
    try {
      return (JSON.parse(line) as { message?: string }).message ?? line;
    } catch {
      return line;
    }
  });

/**
 * Starts a server, runs the stack job `action` (on every service) and stops the server once the
 * job has finished. The server's own clean-up at start holds the job lock for a moment: a busy
 * answer is asked again, for up to a minute.
 */
export async function serverStackJob(
  home: string,
  env: NodeJS.ProcessEnv,
  action: 'up' | 'start' | 'restart',
  timeoutMs: number,
): Promise<FinishedJob> {
  const lines: string[] = [];
  const server = createServer({ home, env, logger: createLogger({ write: (l) => lines.push(l) }) });
  const { url, token } = await server.start();
  const recorder = await recordEvents(url, token);
  try {
    const client = createApiClient({ baseUrl: url, token });
    let jobId = '';
    for (let tries = 0; !jobId; tries += 1) {
      try {
        ({ jobId } = await client.stackAction({ action, services: [] }));
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 'busy') || tries >= 60) throw error;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    const end = await recorder.waitFor(
      (e): e is Extract<ServerEvent, { type: 'job.finished' }> =>
        e.type === 'job.finished' && e.jobId === jobId,
      timeoutMs,
    );
    return {
      outcome: end.outcome,
      ...(end.error ? { error: { message: end.error.message } } : {}),
      steps: recorder.events.flatMap((e) =>
        e.type === 'job.progressed' && e.jobId === jobId ? [e.step] : [],
      ),
      log: messagesOf(lines),
    };
  } finally {
    recorder.close();
    await server.stop();
  }
}

/**
 * A server started on the test's home and nothing asked of it: its clean-up at start must settle
 * an interrupted update by itself (a desktop user's MediaNest is not left down until some action).
 * Waits until `done()` holds and the log said `expected`; returns the log's messages.
 */
export async function serverStartSettles(
  home: string,
  env: NodeJS.ProcessEnv,
  expected: string,
  done: () => boolean,
  timeoutMs: number,
): Promise<string> {
  const lines: string[] = [];
  const messages = (): string[] => messagesOf(lines);
  const server = createServer({ home, env, logger: createLogger({ write: (l) => lines.push(l) }) });
  await server.start();
  try {
    const deadline = Date.now() + timeoutMs;
    while (!done() || !messages().some((m) => m.startsWith(expected))) {
      if (Date.now() > deadline) {
        throw new Error(
          `the server did not settle the update by itself:\n${messages().join('\n')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    return messages().join('\n');
  } finally {
    await server.stop();
  }
}
