/**
 * The client of bench/update: asks one route through nginx every 100 ms, as a user's browser or
 * app would keep asking, and turns what it got into the figures of one update.
 */
import http from 'node:http';

export interface Sample {
  /** When the request was sent (performance.now(), ms). */
  readonly at: number;
  /** The HTTP status; 0 when there was no answer (refused, closed, timed out). */
  readonly status: number;
  /** The `version` of a 2xx answer. */
  readonly version?: string;
}

export interface Probe {
  readonly samples: readonly Sample[];
  /** Resolves once `version` answered 2xx (or at `deadline`, performance.now() ms). */
  seen(version: string, deadline: number): Promise<boolean>;
  /** Stops asking; waits for the answers in flight. */
  stop(): Promise<void>;
}

export const PROBE_INTERVAL_MS = 100;
/** An answer slower than this counts as none: a user's page would show a spinner. */
const ANSWER_TIMEOUT_MS = 2_000;

function ask(url: string): Promise<Omit<Sample, 'at'>> {
  return new Promise((resolve) => {
    // A new connection each time (agent: false): a kept-alive socket to a container that is gone
    // would fail for reasons of its own.
    const req = http.get(url, { agent: false, timeout: ANSWER_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', () => resolve({ status: 0 }));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) return resolve({ status });
        try {
          const { version } = JSON.parse(Buffer.concat(chunks).toString()) as { version?: string };
          resolve({ status, ...(typeof version === 'string' ? { version } : {}) });
        } catch {
          resolve({ status });
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0 }));
  });
}

/** Starts asking `url` every 100 ms, on a fixed schedule (a slow answer does not delay the next). */
export function startProbe(url: string): Probe {
  const samples: Sample[] = [];
  const inFlight = new Set<Promise<void>>();
  const waiters: Array<() => void> = [];
  const timer = setInterval(() => {
    const at = performance.now();
    const done = ask(url).then((answer) => {
      samples.push({ at, ...answer });
      for (const wake of waiters.splice(0)) wake();
    });
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  }, PROBE_INTERVAL_MS);
  return {
    samples,
    async seen(version, deadline) {
      for (;;) {
        if (samples.some((s) => s.version === version)) return true;
        const left = deadline - performance.now();
        if (left <= 0) return false;
        await new Promise<void>((resolve) => {
          const wake = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(wake);
            resolve();
          });
        });
      }
    },
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
    },
  };
}

export interface Outage {
  /**
   * From the first failed or non-2xx answer to the first 2xx answer of the new version after the
   * last failed one (ms, by when each request was sent): the span in which users met errors. With
   * one outage, that is its start to the new version's first answer; 0 without any failure;
   * undefined when the new version never answered after the last failure. (docker-compose can
   * start the new container before it removes the old one: v2 answers, then a short run of 502s
   * while nginx still holds the old address.)
   */
  readonly downtimeMs: number | undefined;
  /** Every failed answer counts until the next request: the time a user saw errors. */
  readonly failedMs: number;
  /** Separate runs of failed answers (a second one: the stack went away again). */
  readonly outages: number;
  /** Failed answers by status ("502", "no answer"), most frequent first. */
  readonly failures: ReadonlyArray<readonly [string, number]>;
  /** 2xx answers of the old version after the first failure (the old one came back). */
  readonly oldAfterFailure: number;
}

const failed = (s: Sample): boolean => s.status < 200 || s.status > 299;

/** The figures of one update from its samples; `to` is the new version's name (`v2`). */
export function outage(samples: readonly Sample[], from: string, to: string): Outage {
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  const firstFail = sorted.find(failed);
  const lastFail = sorted.findLast(failed);
  const newAfter = lastFail
    ? sorted.find((s) => s.at > lastFail.at && !failed(s) && s.version === to)
    : undefined;
  let failedMs = 0;
  let outages = 0;
  const byStatus = new Map<string, number>();
  sorted.forEach((s, i) => {
    if (!failed(s)) return;
    const next = sorted[i + 1];
    failedMs += next ? next.at - s.at : PROBE_INTERVAL_MS;
    if (!failed(sorted[i - 1] ?? { at: 0, status: 200 })) outages += 1;
    const key = s.status === 0 ? 'no answer' : String(s.status);
    byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
  });
  const answeredNew = sorted.some((s) => !failed(s) && s.version === to);
  const downtimeMs = !answeredNew
    ? undefined
    : !firstFail
      ? 0
      : newAfter
        ? newAfter.at - firstFail.at
        : undefined;
  return {
    downtimeMs,
    failedMs,
    outages,
    failures: [...byStatus].sort((a, b) => b[1] - a[1]),
    oldAfterFailure: firstFail
      ? sorted.filter((s) => s.at > firstFail.at && !failed(s) && s.version === from).length
      : 0,
  };
}
