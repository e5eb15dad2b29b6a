// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiClient, Job, UpdateRecord, UpdatesReport } from '@contract';
import { useAppStore } from '../../state/app-store';
import type { JobView } from '../../state/job-view';
import { useLiveStore } from '../../state/live-store';
import { useUpdatesStore } from '../../state/updates-store';
import { serviceUpdate, updateRecord, updatesReport } from '../../state/updates.test-support';
import { UpdatesCard } from './UpdatesCard';

const initial = {
  app: useAppStore.getState(),
  live: useLiveStore.getState(),
  updates: useUpdatesStore.getState(),
};

afterEach(cleanup);
beforeEach(() => {
  useAppStore.setState(initial.app, true);
  useLiveStore.setState(initial.live, true);
  useUpdatesStore.setState(initial.updates, true);
});

/** The backend and its migrate (one row) offered v2 and v3; postgres a local build. */
const offered = () =>
  updatesReport([
    ...['backend', 'migrate'].map((service) =>
      serviceUpdate({
        service,
        newerVersions: [
          { tag: 'v2', step: 'major' },
          { tag: 'v3', step: 'major' },
        ],
        updateAvailable: true,
      }),
    ),
    serviceUpdate({
      service: 'postgres',
      image: 'medianest-rig/postgres:1',
      tag: '1',
      localBuild: true,
    }),
  ]);

/** A server answering the update routes from `state`, recording every change asked of it. */
function fakeServer(report: UpdatesReport, history: UpdateRecord[] = []) {
  const state = { report, history, calls: [] as Array<[string, unknown]> };
  const answers: Record<string, (input?: unknown) => Promise<unknown>> = {
    updates: () => Promise.resolve(state.report),
    updatesHistory: () => Promise.resolve(state.history),
    updatesPin: (input) => {
      state.calls.push(['pin', input]);
      const { service, pinned } = input as { service: string; pinned: boolean };
      state.report = {
        ...state.report,
        services: state.report.services.map((s) =>
          s.service === service ? { ...s, pinned, updateAvailable: !pinned } : s,
        ),
      };
      return Promise.resolve(state.report);
    },
    updatesCheck: () => {
      state.calls.push(['check', undefined]);
      return Promise.resolve(state.report);
    },
    updatesApply: (input) => {
      state.calls.push(['apply', input]);
      return Promise.resolve({ jobId: 'j1', kind: 'update' });
    },
    updatesRollback: () => {
      state.calls.push(['rollback', undefined]);
      return Promise.resolve({ jobId: 'j2', kind: 'update' });
    },
    job: ({ id }: { id: string }): Promise<Job> =>
      Promise.resolve({
        id,
        kind: 'update',
        state: 'running',
        step: null,
        percent: null,
        startedAt: '2026-12-07T12:00:00Z',
        finishedAt: null,
        error: null,
      }),
  } as Record<string, (input?: unknown) => Promise<unknown>>;
  const client = new Proxy(answers, {
    get: (target, name: string) =>
      target[name] ?? (() => Promise.reject(new Error(`${name}: not in this test`))),
  }) as unknown as ApiClient;
  useAppStore.setState({ client });
  useLiveStore.setState({ client });
  return state;
}

/** The job as the page's one event stream would make it. */
const showJob = (view: Partial<JobView>) =>
  act(() => {
    const job: JobView = {
      id: 'j1',
      kind: 'update',
      step: '',
      percent: undefined,
      outcome: 'running',
      error: undefined,
      ...view,
    };
    useLiveStore.setState({ jobs: { ...useLiveStore.getState().jobs, [job.id]: job } });
  });

const row = (service: string) => screen.getByRole('listitem', { name: new RegExp(`^${service}`) });

describe('the Updates card', () => {
  it('shows per image what runs and what is available; backend and migrate once', async () => {
    fakeServer(offered());
    render(<UpdatesCard />);
    const backend = await screen.findByRole('listitem', { name: /^backend/ });
    expect(backend.textContent).toContain('(with migrate)');
    expect(within(backend).getByText('update available')).toBeTruthy();
    expect(backend.querySelector('[data-field="available"]')?.textContent).toBe(
      'v2 (major), v3 (major)',
    );
    expect(within(backend).getByRole('button', { name: 'Update to v3' })).toBeTruthy();
    expect(screen.queryByRole('listitem', { name: /^migrate/ })).toBeNull();
    // Only backend and frontend can be updated from here; postgres shows what it runs.
    const postgres = row('postgres');
    expect(within(postgres).getByText('built here')).toBeTruthy();
    expect(within(postgres).queryByRole('button', { name: /^Update/ })).toBeNull();
  });

  it('asks before updating, naming from and to and the safety snapshot; Escape says no', async () => {
    const server = fakeServer(offered());
    render(<UpdatesCard />);
    fireEvent.click(await screen.findByRole('button', { name: 'Update to v3' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Update backend from v1 to v3?' });
    expect(dialog.textContent).toContain('a safety snapshot of MediaNest is taken');
    expect(dialog.textContent).toContain('goes back to v1 by itself, with its data as before');
    // The safe answer has the focus.
    expect(document.activeElement?.textContent).toBe('Cancel');
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(server.calls).toEqual([]);
  });

  it('follows the update step by step, then says it was rolled back, why, and what runs', async () => {
    const server = fakeServer(offered());
    render(<UpdatesCard />);
    fireEvent.click(await screen.findByRole('button', { name: 'Update to v3' }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, update to v3' }));
    expect(await screen.findByText('Updating backend from v1 to v3')).toBeTruthy();
    expect(server.calls).toEqual([['apply', { service: 'backend', to: 'v3' }]]);

    showJob({ step: 'Safety snapshot: Dumping PostgreSQL', percent: 40 });
    expect(screen.getByRole('status').textContent).toBe('Safety snapshot: Dumping PostgreSQL');
    const current = document.querySelector('[aria-current="step"]');
    expect(current?.textContent).toMatch(/^Safety snapshot.*\(now\)$/);
    // Nothing else can start meanwhile.
    expect(screen.getByRole('button', { name: 'Update to this version' })).toHaveProperty(
      'disabled',
      true,
    );

    showJob({ step: 'Checking that the new version answers', percent: 90 });
    showJob({ step: 'Rolling back: backend did not become healthy', percent: 85 });
    expect(document.querySelector('[data-state="failed"]')?.textContent).toMatch(
      /^The new version.*\(failed here\)$/,
    );
    const why = 'backend did not become healthy: its health route answered 503. Last output:';
    const reason = `${why}\n  {"msg":"startup incomplete; answering 503"}`;
    server.history = [updateRecord({ result: 'rolled-back', reason, target: 'v3' })];
    showJob({
      outcome: 'failed',
      error: {
        code: 'conflict',
        message: `The update to v3 failed and was rolled back: ${reason}`,
      },
    });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The update to v3 did not work, so it was rolled back.');
    expect(alert.textContent).toContain(
      'MediaNest runs the previous version (v1) with its data as before.',
    );
    expect(within(alert).getByText(`Why: ${why}`)).toBeTruthy();
    expect(within(alert).getByLabelText('Its last output').textContent).toBe(
      '{"msg":"startup incomplete; answering 503"}',
    );
    // The history lists it, with its reason.
    const history = screen.getByRole('list', { name: 'Update history' });
    expect(history.textContent).toContain('rolled back');
    expect(history.textContent).toContain('backend and migrate: v1 → v2');
  });

  it('says "Updated to" once the update succeeded, and checks again what runs now', async () => {
    const server = fakeServer(offered());
    render(<UpdatesCard />);
    fireEvent.click(await screen.findByRole('button', { name: 'Update to v3' }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, update to v3' }));
    await screen.findByText('Updating backend from v1 to v3');
    server.report = updatesReport([serviceUpdate({ image: 'r/b:v3', tag: 'v3' })]);
    showJob({ step: 'Updated', percent: 100, outcome: 'succeeded' });
    expect((await screen.findByText(/^Updated to v3/)).textContent).toBe(
      'Updated to v3: backend runs it now and answers.',
    );
    await screen.findByText('Nothing newer.');
    expect(row('backend').querySelector('[data-field="current"]')?.textContent).toBe('v3 r/b:v3');
    expect(server.calls).toEqual([
      ['apply', { service: 'backend', to: 'v3' }],
      ['check', undefined],
    ]);
  });

  it('pins backend and migrate together; a pinned image is offered nothing', async () => {
    const server = fakeServer(offered());
    render(<UpdatesCard />);
    fireEvent.click(await screen.findByRole('button', { name: 'Pin to v1' }));
    await screen.findByRole('button', { name: 'Unpin' });
    expect(server.calls).toEqual([
      ['pin', { service: 'backend', pinned: true }],
      ['pin', { service: 'migrate', pinned: true }],
    ]);
    const backend = row('backend');
    expect(within(backend).queryByRole('button', { name: /^Update to v/ })).toBeNull();
    expect(backend.textContent).toContain('Pinned to v1: nothing newer is offered');
  });

  it('takes a typed version, naming the field when it is empty', async () => {
    fakeServer(offered());
    render(<UpdatesCard />);
    fireEvent.click(await screen.findByText('Update backend to another version'));
    const submit = screen.getByRole('button', { name: 'Update to this version' });
    fireEvent.click(submit);
    expect(screen.getByText(/^Version: type a tag/)).toBeTruthy();
    expect(screen.getByLabelText('Another version of backend').getAttribute('aria-invalid')).toBe(
      'true',
    );
    fireEvent.change(screen.getByLabelText('Another version of backend'), {
      target: { value: ' v2-broken ' },
    });
    fireEvent.click(submit);
    expect(
      screen.getByRole('alertdialog', { name: 'Update backend from v1 to v2-broken?' }),
    ).toBeTruthy();
  });

  it('says when the registry did not answer, and how old what it shows is', async () => {
    fakeServer(
      updatesReport([
        serviceUpdate({
          checkedAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
          error: { message: 'registry 127.0.0.1:5000 not reachable', at: new Date().toISOString() },
        }),
      ]),
    );
    render(<UpdatesCard />);
    const backend = await screen.findByRole('listitem', { name: /^backend/ });
    expect(backend.querySelector('[data-field="offline"]')?.textContent).toBe(
      'Offline, or the registry did not answer (just now): registry 127.0.0.1:5000 not reachable. What is shown is its answer from 3 h ago.',
    );
  });

  it('rolls back to the previous version from the history, after saying what it costs', async () => {
    const server = fakeServer(updatesReport([serviceUpdate({ tag: 'v2', image: 'r/b:v2' })]), [
      updateRecord(),
    ]);
    render(<UpdatesCard />);
    fireEvent.click(await screen.findByRole('button', { name: 'Roll back to previous version' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Roll back backend from v2 to v1?' });
    expect(dialog.textContent).toContain('anything written in MediaNest since then is lost');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Yes, roll back to v1' }));
    expect(await screen.findByText('Rolling back backend from v2 to v1')).toBeTruthy();
    expect(server.calls).toEqual([['rollback', undefined]]);
  });
});
