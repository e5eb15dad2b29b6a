import { useState } from 'react';
import type { UpdateRecord } from '@contract';
import { formatDuration, formatTime } from '../format';
import { changeWords, recordVersions } from '../../state/update-offer';
import { reasonParts } from '../../state/update-steps';
import { ConfirmInPlace } from '../ui/ConfirmInPlace';

/** The history shows the newest few; the CLI's `update history` has the rest. */
const SHOWN = 5;

const RESULT: Record<UpdateRecord['result'], { label: string; tone: 'ok' | 'warn' | 'fail' }> = {
  succeeded: { label: 'done', tone: 'ok' },
  'rolled-back': { label: 'rolled back', tone: 'warn' },
  failed: { label: 'failed', tone: 'fail' },
};

/**
 * The updates applied here, newest first, with why one was rolled back; and the one action that
 * undoes the newest successful one, after a question that says what it costs.
 */
export function UpdateHistory({
  history,
  blocked,
  onRollback,
}: {
  history: readonly UpdateRecord[];
  blocked: boolean;
  onRollback: (service: string, from: string, to: string) => void;
}) {
  const [asking, setAsking] = useState(false);
  const last = history.find((r) => r.result === 'succeeded');
  // Back from what the last update installed to what it replaced.
  const back = last && recordVersions(last);
  return (
    <div className="update-history">
      <h3 id="update-history-title">Update history</h3>
      {history.length === 0 ? (
        <p className="muted">No update applied yet.</p>
      ) : (
        <ol className="history" aria-labelledby="update-history-title">
          {history.slice(0, SHOWN).map((record) => {
            const result = RESULT[record.result];
            return (
              <li key={record.id} data-result={record.result}>
                <span className={`badge badge-${result.tone}`}>{result.label}</span>{' '}
                {record.kind === 'rollback' ? 'Rollback' : 'Update'} {changeWords(record)},{' '}
                {formatTime(record.startedAt)}, took {formatDuration(record.durationMs / 1000)}
                {record.reason && (
                  <p className="muted">
                    Why: {reasonParts(record.reason).summary.replace(/\s*Last output:$/, '')}
                  </p>
                )}
              </li>
            );
          })}
        </ol>
      )}
      {last && back && (
        <div className="actions">
          <button type="button" disabled={blocked || asking} onClick={() => setAsking(true)}>
            Roll back to previous version
          </button>
        </div>
      )}
      {asking && last && back && (
        <ConfirmInPlace
          id="update-rollback"
          title={`Roll back ${back.service} from ${back.to} to ${back.from}?`}
          yes={`Yes, roll back to ${back.from}`}
          onCancel={() => setAsking(false)}
          onYes={() => {
            setAsking(false);
            onRollback(back.service, back.to, back.from);
          }}
        >
          <p>
            A safety snapshot is taken first, then {back.from} starts again, its images still on
            this computer. If the update to {back.to} changed the database, the database comes back
            as it was just before that update ({formatTime(last.startedAt)}): anything written in
            MediaNest since then is lost.
          </p>
        </ConfirmInPlace>
      )}
    </div>
  );
}
