import { describe, expect, it } from 'vitest';
import { advanceRestoreSteps, RESTORE_STEPS, restoreStepOf, stopwatch } from './restore-steps';

describe('restoreStepOf', () => {
  it('places every progress line the restore reports under one of the six listed steps', () => {
    const lines: Array<[string, number]> = [
      ['Starting PostgreSQL and Redis', 0],
      ['Verifying the archive', 0],
      ['Safety snapshot: Writing db/medianest.dump', 1],
      ['Restoring the database into staging', 1],
      ['Extracting files into staging', 1],
      ['Staging the database and files', 1],
      ['Stopping the app', 2],
      ['Swapping in the restored data', 3],
      ['Starting the app (health gate)', 4],
      ['Committing', 4],
      ['Rolling back', 5],
    ];
    for (const [line, index] of lines) expect(restoreStepOf(line), line).toBe(index);
    expect(RESTORE_STEPS).toHaveLength(6);
  });

  it('keeps the step it was at for a line it does not know, and starts at the first', () => {
    expect(restoreStepOf(undefined)).toBe(0);
    expect(restoreStepOf('Something new', 3)).toBe(3);
  });
});

describe('advanceRestoreSteps', () => {
  it('keeps when the restore began, and restarts the step time only when the step changes', () => {
    const first = advanceRestoreSteps(undefined, 'Starting PostgreSQL and Redis', 1_000);
    expect(first).toEqual({ step: 0, startedAt: 1_000, stepStartedAt: 1_000 });
    const same = advanceRestoreSteps(first, 'Verifying the archive', 2_000);
    expect(same).toEqual({ step: 0, startedAt: 1_000, stepStartedAt: 1_000 });
    const next = advanceRestoreSteps(same, 'Safety snapshot: Counting rows', 5_000);
    expect(next).toEqual({ step: 1, startedAt: 1_000, stepStartedAt: 5_000 });
  });
});

describe('stopwatch', () => {
  it('shows minutes and seconds, and hours once there are any', () => {
    expect(stopwatch(7_400)).toBe('0:07');
    expect(stopwatch(754_000)).toBe('12:34');
    expect(stopwatch(3_723_000)).toBe('1:02:03');
  });
});
