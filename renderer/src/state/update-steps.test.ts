import { describe, expect, it } from 'vitest';
import type { JobRun } from './job-view';
import {
  reasonParts,
  ROLLBACK_STEP,
  updateOutcome,
  updateStepOf,
  type UpdateAsked,
} from './update-steps';
import { updateRecord } from './updates.test-support';

const asked: UpdateAsked = { kind: 'update', service: 'backend', from: 'v1', to: 'v2-broken' };
const failed = (error: string): JobRun => ({ phase: 'failed', error });

describe('the listed step of a progress line', () => {
  it('follows the server’s lines through the five steps', () => {
    const lines = [
      'Preflight: free space',
      'Pulling 127.0.0.1:5000/medianest/backend:v2',
      'Stopping the app for the safety snapshot',
      'Safety snapshot: Dumping PostgreSQL',
      'Rendering the stack with the new images',
      'Migrations, new containers, health gate',
      'Checking that the new version answers',
      'Committing',
      'Rolling back: backend did not become healthy',
    ];
    expect(lines.map((line) => updateStepOf(line))).toEqual([
      0,
      0,
      1,
      1,
      2,
      2,
      2,
      3,
      ROLLBACK_STEP,
    ]);
  });

  it('keeps the step it was at for a line it does not know, or none yet', () => {
    expect(updateStepOf('Something new', 2)).toBe(2);
    expect(updateStepOf(undefined, 1)).toBe(1);
    expect(updateStepOf('')).toBe(0);
  });
});

describe('how an update ended', () => {
  it('succeeded: updated to what was asked', () => {
    expect(updateOutcome({ phase: 'succeeded' }, asked, [])).toEqual({
      kind: 'updated',
      to: 'v2-broken',
    });
  });

  it('rolled back by itself: the reason is the history record’s, matched by the job’s error', () => {
    const reason = 'backend did not become healthy: its health route /api/health answered 503';
    const record = updateRecord({ result: 'rolled-back', reason });
    const older = updateRecord({ id: 'r0', result: 'rolled-back', reason: 'another reason' });
    const outcome = updateOutcome(
      failed(`The update to v2-broken failed and was rolled back: ${reason}`),
      asked,
      [older, record],
    );
    expect(outcome).toEqual({ kind: 'rolled-back', reason, record });
  });

  it('failed and the rollback failed too: said as such, with the record naming the snapshot', () => {
    const reason =
      'x; the rollback failed too: y (the safety snapshot s1 holds the state from before)';
    const record = updateRecord({ result: 'failed', reason });
    expect(
      updateOutcome(failed(`The update to v2 failed: ${reason}`), asked, [record]),
    ).toMatchObject({ kind: 'rollback-failed', reason });
  });

  it('refused before anything changed: no record, the job’s own words', () => {
    const earlier = updateRecord({ result: 'rolled-back', reason: 'an earlier failure' });
    expect(
      updateOutcome(failed('Another operation is running'), asked, [earlier, updateRecord()]),
    ).toEqual({ kind: 'not-started', reason: 'Another operation is running' });
    expect(updateOutcome({ phase: 'running' }, asked, [])).toBeUndefined();
  });
});

describe('a reason', () => {
  it('is its first sentence, with the program’s last output apart', () => {
    const reason =
      'backend did not become healthy within its healthcheck budget (135 s). Last output:\n  {"msg":"listening"}\n  {"msg":"startup incomplete"}\n';
    expect(reasonParts(reason)).toEqual({
      summary: 'backend did not become healthy within its healthcheck budget (135 s). Last output:',
      detail: '{"msg":"listening"}\n{"msg":"startup incomplete"}',
    });
    expect(reasonParts('one line')).toEqual({ summary: 'one line', detail: undefined });
  });
});
