import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../contract/events.js';
import {
  BuildImagesInputSchema,
  CheckoutRefusalSchema,
  LoadImagesInputSchema,
} from '../contract/images-routes.js';
import type { Job } from '../contract/stack-routes.js';
import { AppError } from '../core/app-error.js';
import { FakeImageGateway, MemoryTree } from '../core/images/fakes.test-support.js';
import { ImageSourceService } from '../core/images/image-source-service.js';
import type { JobRepository } from '../core/jobs/job-repository.js';
import { JobRunner } from '../core/jobs/job-runner.js';
import { tarOf } from '../core/tar/tar.test-support.js';
import { imagesHandlers } from './images-routes.js';

class MemoryJobs implements JobRepository {
  readonly jobs = new Map<string, Job>();
  insert(job: { id: string; kind: string; startedAt: string }): void {
    this.jobs.set(job.id, {
      ...job,
      state: 'running',
      step: null,
      percent: null,
      finishedAt: null,
      error: null,
    });
  }
  progress(id: string, step: string, percent: number | undefined): void {
    const job = this.jobs.get(id);
    if (job) Object.assign(job, { step, percent: percent ?? job.percent });
  }
  finish(id: string, state: Job['state'], finishedAt: string, error?: Job['error']): void {
    const job = this.jobs.get(id);
    if (job) Object.assign(job, { state, finishedAt, error: error ?? null });
  }
  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }
  list(): Job[] {
    return [...this.jobs.values()];
  }
  interruptRunning(): string[] {
    return [];
  }
}

const SRC = '/src/medianest';

function setup() {
  const tree = new MemoryTree()
    .file(`${SRC}/Dockerfile`, 'FROM x AS backend-production\nFROM x AS frontend-production\n')
    .file(`${SRC}/backend/server.js`, 'x');
  const gateway = new FakeImageGateway();
  const events: DomainEvent[] = [];
  const jobs = new MemoryJobs();
  const runner = new JobRunner({ jobs, publish: (e) => events.push(e), now: () => new Date() });
  let clock = 0;
  const handlers = imagesHandlers({
    images: () => new ImageSourceService({ gateway, tree }),
    stack: () => {
      throw new Error('no stack in these tests');
    },
    settings: () => {
      throw new Error('no settings in these tests');
    },
    runner,
    now: () => clock,
  });
  return { tree, gateway, events, jobs, runner, handlers, tick: (ms: number) => (clock += ms) };
}

const steps = (events: DomainEvent[]) =>
  events.flatMap((e) => (e.type === 'job.progressed' ? [e.step] : []));

describe('images routes', () => {
  it('builds as a job whose steps end with the references for the settings', async () => {
    const { handlers, runner, events, gateway } = setup();
    gateway.script['backend-production'] = {
      events: [
        { kind: 'output', line: 'one' },
        { kind: 'output', line: 'two (sampled out: same instant)' },
        { kind: 'step', current: 1, total: 1, name: 'COPY . .', cached: false },
      ],
    };
    const accepted = await handlers.imagesBuild(
      BuildImagesInputSchema.parse({ sourceDir: SRC, services: ['backend'] }),
    );
    expect(accepted.kind).toBe('image-build');
    await runner.settle();
    const seen = steps(events);
    expect(seen).toContain('backend | one');
    expect(seen).not.toContain('backend | two (sampled out: same instant)');
    expect(seen).toContain('backend (1/1): step 1/1 COPY . .');
    expect(seen.at(-1)).toMatch(/^Built backend=medianest\/backend:local-[0-9a-f]{12}$/);
    expect(events.at(-1)).toMatchObject({ type: 'job.finished', outcome: 'succeeded' });
  });

  it('answers a refused folder at once, naming the field, without starting a job', async () => {
    const { handlers, jobs } = setup();
    const error = await handlers
      .imagesBuild(BuildImagesInputSchema.parse({ sourceDir: '/nowhere' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).details).toEqual({
      fields: { sourceDir: '/nowhere does not exist' },
    });
    expect(jobs.jobs.size).toBe(0);
  });

  it('answers a checkout with a known defect at once, every finding in the details, no job', async () => {
    const { handlers, jobs, tree } = setup();
    tree.file(
      `${SRC}/Dockerfile`,
      [
        'FROM x AS backend-production',
        'FROM x AS frontend-production',
        'COPY frontend/public ./public',
      ].join('\n'),
    );
    const error = await handlers
      .imagesBuild(BuildImagesInputSchema.parse({ sourceDir: SRC }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('validation_failed');
    expect(CheckoutRefusalSchema.parse((error as AppError).details).findings).toEqual([
      expect.objectContaining({ code: 'frontend-public-missing', file: 'Dockerfile', line: 3 }),
    ]);
    expect(jobs.jobs.size).toBe(0);
  });

  it('loads an archive as a job with byte progress; a text file is refused before a job', async () => {
    const { handlers, runner, events, tree, gateway } = setup();
    const manifest = '[{"RepoTags":["medianest/backend:2.0"]}]';
    tree.file('/tmp/images.tar', tarOf([{ name: 'manifest.json', content: manifest }]));
    tree.file('/tmp/notes.txt', 'hello');
    gateway.loadAnswer = { references: ['medianest/backend:2.0'], imageIds: [] };
    const accepted = await handlers.imagesLoad(
      LoadImagesInputSchema.parse({ archive: '/tmp/images.tar' }),
    );
    expect(accepted.kind).toBe('image-load');
    await runner.settle();
    const progressed = events.filter((e) => e.type === 'job.progressed');
    expect(progressed.some((e) => e.bytes?.done === e.bytes?.total)).toBe(true);
    expect(progressed.at(-1)?.step).toBe(
      'Loaded medianest/backend:2.0; for settings images: backend=medianest/backend:2.0',
    );
    await expect(
      handlers.imagesLoad(LoadImagesInputSchema.parse({ archive: '/tmp/notes.txt' })),
    ).rejects.toThrow('archive: /tmp/notes.txt is not a tar file');
  });

  it('refuses a relative path in the contract already', () => {
    expect(BuildImagesInputSchema.safeParse({ sourceDir: 'src' }).success).toBe(false);
    expect(LoadImagesInputSchema.safeParse({ archive: 'C:\\images.tar' }).success).toBe(true);
  });
});
