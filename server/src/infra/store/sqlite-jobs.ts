import type { Job, JobState } from '../../contract/stack-routes.js';
import type { JobRepository } from '../../core/jobs/job-repository.js';
import type { Db } from './database.js';

interface Row {
  id: string;
  kind: string;
  state: JobState;
  step: string | null;
  percent: number | null;
  started_at: string;
  finished_at: string | null;
  error_code: string | null;
  error_message: string | null;
}

const toJob = (r: Row): Job => ({
  id: r.id,
  kind: r.kind,
  state: r.state,
  step: r.step,
  percent: r.percent,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  error: r.error_code ? { code: r.error_code, message: r.error_message ?? '' } : null,
});

export class SqliteJobs implements JobRepository {
  constructor(private readonly db: Db) {}

  insert(job: { id: string; kind: string; startedAt: string }): void {
    this.db
      .prepare("INSERT INTO jobs (id, kind, state, started_at) VALUES (?, ?, 'running', ?)")
      .run(job.id, job.kind, job.startedAt);
  }

  progress(id: string, step: string, percent: number | undefined): void {
    this.db
      .prepare('UPDATE jobs SET step = ?, percent = ? WHERE id = ?')
      .run(step, percent ?? null, id);
  }

  finish(
    id: string,
    state: Exclude<JobState, 'running'>,
    finishedAt: string,
    error?: { code: string; message: string },
  ): void {
    this.db
      .prepare(
        'UPDATE jobs SET state = ?, finished_at = ?, error_code = ?, error_message = ? WHERE id = ?',
      )
      .run(state, finishedAt, error?.code ?? null, error?.message ?? null, id);
  }

  get(id: string): Job | undefined {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
    return row ? toJob(row) : undefined;
  }

  list(limit: number): Job[] {
    return (
      this.db
        .prepare('SELECT * FROM jobs ORDER BY started_at DESC, rowid DESC LIMIT ?')
        .all(limit) as Row[]
    ).map(toJob);
  }

  interruptRunning(finishedAt: string): string[] {
    const ids = (
      this.db.prepare("SELECT id FROM jobs WHERE state = 'running'").all() as Array<{ id: string }>
    ).map((r) => r.id);
    this.db
      .prepare(
        "UPDATE jobs SET state = 'interrupted', finished_at = ?, error_code = 'internal', error_message = 'The appliance stopped while this job ran.' WHERE state = 'running'",
      )
      .run(finishedAt);
    return ids;
  }
}
