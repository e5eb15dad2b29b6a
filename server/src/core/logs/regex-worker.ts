import { Worker } from 'node:worker_threads';

/**
 * The worker's whole program: answers each batch with the indices of the lines that match, keeping
 * the last pattern compiled. Plain JavaScript evaluated as a script, so it runs the same from the
 * TypeScript source (tests, tsx), from dist/ and from inside an Electron asar, with no file to find.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
let key = '';
let re = null;
parentPort.on('message', ({ source, flags, texts }) => {
  if (re === null || key !== flags + '/' + source) {
    re = new RegExp(source, flags);
    key = flags + '/' + source;
  }
  const hits = [];
  for (let i = 0; i < texts.length; i++) if (re.test(texts[i])) hits.push(i);
  parentPort.postMessage(hits);
});
parentPort.postMessage('ready');
`;

/** Why a batch got no answer: over its budget (the worker was stopped), or the worker failed. */
export class RegexWorkerError extends Error {
  constructor(
    readonly reason: 'over_budget' | 'failed',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RegexWorkerError';
  }
}

/**
 * One worker thread that runs a regular expression over batches of lines. A batch that overruns its
 * budget cannot be interrupted inside the thread (a backtracking match never yields), so the whole
 * worker is terminated, and it is not used again.
 */
export class RegexWorker {
  private readonly worker: Worker;
  private readonly ready: Promise<void>;
  private pending:
    { resolve: (hits: number[]) => void; reject: (error: Error) => void } | undefined;
  private failure: RegexWorkerError | undefined;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // A worker holds one batch of text: a small heap is plenty and bounds a runaway.
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
    });
    this.ready = new Promise<void>((resolve, reject) => {
      this.worker.once('message', () => {
        this.worker.on('message', (hits: number[]) => this.pending?.resolve(hits));
        // An idle worker must not keep a CLI process or a stopped server alive; a running batch
        // keeps its own timer. After the listener: adding a 'message' listener refs the worker.
        this.worker.unref();
        resolve();
      });
      this.worker.on('error', (error) =>
        reject(
          this.fail(new RegexWorkerError('failed', 'The search worker failed.', { cause: error })),
        ),
      );
      this.worker.on('exit', () =>
        reject(this.fail(new RegexWorkerError('failed', 'The search worker stopped.'))),
      );
    });
    this.ready.catch(() => undefined);
  }

  get usable(): boolean {
    return this.failure === undefined && this.pending === undefined;
  }

  /** The first failure sticks: a stopped worker answers nothing more. */
  private fail(error: RegexWorkerError): RegexWorkerError {
    this.failure ??= error;
    this.pending?.reject(this.failure);
    return this.failure;
  }

  /** The indices of `texts` that `source`/`flags` match; one batch at a time per worker. */
  async run(source: string, flags: string, texts: string[], budgetMs: number): Promise<number[]> {
    // Started once the worker runs: its start-up (slow on a busy machine) is not the pattern's time.
    await this.ready;
    if (this.failure) throw this.failure;
    if (this.pending) throw new Error('RegexWorker.run: one batch at a time');
    return new Promise<number[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new RegexWorkerError('over_budget', `The batch took over ${budgetMs} ms.`));
        void this.worker.terminate();
      }, budgetMs);
      const settle = (): void => {
        clearTimeout(timer);
        this.pending = undefined;
      };
      this.pending = {
        resolve: (hits) => {
          settle();
          resolve(hits);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      this.worker.postMessage({ source, flags, texts });
    });
  }

  async terminate(): Promise<void> {
    this.failure ??= new RegexWorkerError('failed', 'The search worker was stopped.');
    await this.worker.terminate();
  }
}

/**
 * Keeps one started worker waiting, so a search does not pay a thread's start-up (about 50 ms here,
 * a second on a machine under heavy load) before its first batch; and lets at most `limit` run at
 * once, so a burst of searches queues instead of starting a thread (and taking a core) each. A
 * worker that was stopped for its budget is replaced in the background.
 */
export class RegexWorkerPool {
  private idle: RegexWorker | undefined;
  private running = 0;
  private readonly queue: Array<(worker: RegexWorker) => void> = [];

  constructor(private readonly limit = 2) {}

  /** Starts the waiting worker now, so the next search finds it ready. */
  warm(): void {
    this.idle ??= new RegexWorker();
  }

  /**
   * Starts the waiting worker after `delayMs`: at server start, so the thread's start-up competes
   * neither with the server's own start nor with the first requests.
   */
  warmSoon(delayMs: number): void {
    setTimeout(() => this.warm(), delayMs).unref();
  }

  /** A worker for one search; waits while `limit` searches hold one. */
  async take(): Promise<RegexWorker> {
    if (this.running >= this.limit) {
      return new Promise((resolve) => this.queue.push(resolve));
    }
    this.running += 1;
    return this.next();
  }

  private next(): RegexWorker {
    // A waiting worker that died meanwhile (it should not, idle) is replaced, not handed out.
    const worker = this.idle?.usable ? this.idle : new RegexWorker();
    this.idle = undefined;
    return worker;
  }

  give(worker: RegexWorker): void {
    if (worker.usable && this.idle === undefined) this.idle = worker;
    else void worker.terminate();
    const waiting = this.queue.shift();
    // The slot passes straight to the next search in line.
    if (waiting) waiting(this.next());
    else {
      this.running -= 1;
      this.warm();
    }
  }
}

/** The process's pool: searches from every request share it. */
export const regexWorkers = new RegexWorkerPool();
