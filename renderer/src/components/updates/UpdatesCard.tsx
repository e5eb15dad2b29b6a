import { useEffect } from 'react';
import { useAppStore } from '../../state/app-store';
import { runOf } from '../../state/job-view';
import { onServerEvent, useLiveStore } from '../../state/live-store';
import { ago, updateRows } from '../../state/update-offer';
import { updateStepOf } from '../../state/update-steps';
import { useUpdatesStore } from '../../state/updates-store';
import { useFields } from '../../state/use-fields';
import { useNow } from '../../state/use-now';
import { UpdateHistory } from './UpdateHistory';
import { UpdateRowItem, type RowActions } from './UpdateRowItem';
import { UpdateOutcomeMessage, UpdateProgress } from './UpdateRunStatus';
// The form fields and secondary buttons look as on every other page (the dashboard loads first).
import '../../pages/first-run.css';
import './updates.css';

/**
 * The dashboard's Updates card: per image what runs and what is available, pin and skip, the
 * update itself with its steps and how it ended, and the history with its rollback. Read again
 * when a version becomes available and after every job (an update, a restore, a settings change
 * may each change what runs).
 */
export function UpdatesCard() {
  const client = useAppStore((s) => s.client);
  const { load, report, history, checking, error, flow, refresh, check, pin, skip, apply } =
    useFields(useUpdatesStore, [
      'load',
      'report',
      'history',
      'checking',
      'error',
      'flow',
      'refresh',
      'check',
      'pin',
      'skip',
      'apply',
    ]);
  const rollback = useUpdatesStore((s) => s.rollback);
  const { activeJobId, jobs, health } = useFields(useLiveStore, ['activeJobId', 'jobs', 'health']);
  const now = useNow(true, 30_000);

  useEffect(() => {
    if (!client) return;
    void refresh(client);
    return onServerEvent((event) => {
      // The update this page follows reads everything again itself once it has ended.
      const followed = useUpdatesStore.getState().flow?.run.phase === 'running';
      if (event.type === 'job.finished' && event.kind === 'update' && followed) return;
      if (event.type === 'update.became-available' || event.type === 'job.finished')
        void refresh(client);
    });
  }, [client, refresh]);

  if (!client || load.state === 'not-installed' || load.state === 'idle') return null;

  const active = activeJobId ? jobs[activeJobId] : undefined;
  const running = flow?.run.phase === 'running';
  // An update started elsewhere (another window, or before this page was loaded): shown too.
  const other = !running && active?.kind === 'update' ? active : undefined;
  const actions: RowActions = {
    blocked: active !== undefined || running || health?.status === 'unknown',
    pin: (services, pinned) => void pin(client, services, pinned),
    skip: (services, version) => void skip(client, services, version),
    update: (service, from, version, to) =>
      void apply(client, { kind: 'update', service, from, to: version }, to),
  };
  const rows = report ? updateRows(report) : [];
  const schedule = report?.settings.check.enabled
    ? report.nextCheckAt
      ? `next check ${new Date(report.nextCheckAt).toLocaleString()}`
      : 'checked on a schedule'
    : 'scheduled checks are off';

  return (
    <section className="card updates-card" aria-labelledby="updates-title">
      <div className="card-head">
        <h2 id="updates-title">Updates</h2>
        <button
          type="button"
          className="secondary"
          disabled={checking}
          onClick={() => void check(client)}
        >
          {checking ? 'Checking…' : 'Check now'}
        </button>
      </div>
      <p className="muted" data-field="last-check">
        {report?.lastCheckAt
          ? `Last checked ${ago(report.lastCheckAt, now)}; ${schedule}.`
          : `Not checked yet; ${schedule}.`}
      </p>
      {load.state === 'loading' && !report && <p className="muted">Reading what is known…</p>}
      {load.state === 'error' && (
        <p className="error" role="alert">
          The updates could not be read: {load.error}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {flow && (flow.outcome === undefined || flow.run.phase === 'running') ? (
        <UpdateProgress
          title={`${flow.asked.kind === 'rollback' ? 'Rolling back' : 'Updating'} ${flow.asked.service} from ${flow.asked.from} to ${flow.asked.to}`}
          flow={flow}
        />
      ) : (
        flow?.outcome && <UpdateOutcomeMessage outcome={flow.outcome} asked={flow.asked} />
      )}
      {other && (
        <UpdateProgress
          title="An update is running"
          flow={{ run: runOf(other), step: updateStepOf(other.step) }}
        />
      )}
      {rows.length > 0 && (
        <ul className="update-rows">
          {rows.map((row) => (
            <UpdateRowItem key={row.service} row={row} now={now} actions={actions} />
          ))}
        </ul>
      )}
      <UpdateHistory
        history={history}
        blocked={actions.blocked}
        onRollback={(service, from, to) =>
          void rollback(client, { kind: 'rollback', service, from, to })
        }
      />
    </section>
  );
}
