import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Request, Response } from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../contract/events.js';
import { AppError } from '../core/app-error.js';
import { JobRunner } from '../core/jobs/job-runner.js';
import type { RotateOptions, SecretsService } from '../core/secrets/rotation-service.js';
import { rotationSpec } from '../core/secrets/rotation-specs.js';
import { openDatabase, type Db } from '../infra/store/database.js';
import { SqliteJobs } from '../infra/store/sqlite-jobs.js';
import { secretsHandlers } from './secrets-routes.js';

let dir: string;
let db: Db;
let jobs: SqliteJobs;
let events: DomainEvent[];
let runner: JobRunner;
let rotations: Array<{ name: string; options: RotateOptions; jobId: string | undefined }>;

/** The service as the handlers use it: check refuses like the real one, rotate reports two steps. */
function fakeSecrets(jobId?: string): SecretsService {
  return {
    list: async () => [],
    check: (name: string) => rotationSpec(name),
    rotate: async (
      name: string,
      options: RotateOptions,
      progress: (s: string, p?: number) => void,
    ) => {
      rotations.push({ name, options, jobId });
      progress('writing the new value and rendering the stack', 45);
      progress(`${name} rotated`, 100);
      return { name, rotatedAt: '', alsoChanged: [], recreated: [] };
    },
  } as unknown as SecretsService;
}

const req = {} as Request;
const res = {} as Response;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mna-secrets-http-'));
  db = openDatabase(join(dir, 'appliance.db'));
  jobs = new SqliteJobs(db);
  events = [];
  rotations = [];
  runner = new JobRunner({ jobs, publish: (e) => events.push(e), now: () => new Date() });
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the secrets routes', () => {
  it('run a rotation as a "rotate" job, reporting its steps into that job', async () => {
    const handlers = secretsHandlers({ secrets: fakeSecrets, runner });
    const accepted = await handlers.rotateSecret({ name: 'jwt_secret', graceDays: 2 }, req, res);
    expect(accepted.kind).toBe('rotate');
    await runner.settle();
    expect(rotations).toEqual([
      { name: 'jwt_secret', options: { graceDays: 2 }, jobId: accepted.jobId },
    ]);
    expect(jobs.get(accepted.jobId)).toMatchObject({ state: 'succeeded', percent: 100 });
    expect(
      events
        .filter((e) => e.type === 'job.progressed')
        .map((e) => e.type === 'job.progressed' && e.step),
    ).toEqual(['writing the new value and rendering the stack', 'jwt_secret rotated']);
  });

  it('refuse encryption_key and unknown names before any job starts', async () => {
    const handlers = secretsHandlers({ secrets: fakeSecrets, runner });
    for (const name of ['encryption_key', 'nope']) {
      const error = await handlers.rotateSecret({ name }, req, res).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
    }
    expect(jobs.list(10)).toEqual([]);
    expect(rotations).toEqual([]);
  });
});
