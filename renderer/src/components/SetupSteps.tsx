import { useEffect, useState } from 'react';
import type { LogLine, ServiceHealth } from '@contract';
import { Link } from '../router';
import { useLiveStore } from '../state/live-store';
import { messageOf } from '@contract';

const LOG_TAIL = 20;

/** What a one-shot job is for, in the user's words; `migrate` is the only one MediaNest has. */
function wordsFor(job: string): { done: string; running: string; failed: string; idle: string } {
  if (job === 'migrate') {
    return {
      done: 'Database up to date',
      running: 'Updating the database…',
      failed: 'The database update failed',
      idle: 'The database update has not run yet',
    };
  }
  return {
    done: `${job}: done`,
    running: `${job}: running…`,
    failed: `${job} failed`,
    idle: `${job} has not run yet`,
  };
}

/**
 * The one-shot jobs (the database migrations) as setup steps, not services: done when they ended
 * with 0 (nothing to start or stop), a failure with its log when they did not.
 */
export function SetupSteps({
  jobs,
  engineDown,
}: {
  jobs: readonly ServiceHealth[];
  engineDown: boolean;
}) {
  if (jobs.length === 0) return null;
  return (
    <section className="card" aria-labelledby="setup-title">
      <h2 id="setup-title">Setup steps</h2>
      <ul className="setup-steps">
        {jobs.map((job) => (
          <SetupStep key={job.service} job={job} engineDown={engineDown} />
        ))}
      </ul>
    </section>
  );
}

function SetupStep({ job, engineDown }: { job: ServiceHealth; engineDown: boolean }) {
  const words = wordsFor(job.service);
  if (engineDown) {
    return (
      <li data-step={job.service} data-state="unknown">
        <span className="badge badge-unknown">unknown</span>{' '}
        <span>Not known while Docker cannot be reached</span>
      </li>
    );
  }
  const failed = job.state === 'exited' && (job.exitCode !== 0 || job.oomKilled);
  const done = job.state === 'exited' && !failed;
  const underWay = ['created', 'starting', 'running', 'restarting'].includes(job.state);
  const [text, tone, badge] = done
    ? [words.done, 'ok', 'done']
    : failed
      ? [`${words.failed} (exit code ${job.exitCode ?? '?'})`, 'fail', 'failed']
      : underWay
        ? [words.running, 'warn', 'running']
        : [words.idle, 'unknown', 'not run'];
  return (
    <li data-step={job.service} data-state={badge}>
      <span className={`badge badge-${tone}`}>{badge}</span> <span>{text}</span>
      {failed && <FailureLog service={job.service} />}
    </li>
  );
}

/** The end of a failed job's output: why it failed is almost always in its last lines. */
function FailureLog({ service }: { service: string }) {
  const client = useLiveStore((s) => s.client);
  const [lines, setLines] = useState<LogLine[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    if (!client) return;
    let live = true;
    client.logsHistory({ services: [service], tail: LOG_TAIL }).then(
      (history) => live && setLines(history.lines),
      (e: unknown) => live && setError(messageOf(e)),
    );
    return () => {
      live = false;
    };
  }, [client, service]);
  return (
    <div className="step-log">
      {error && <p className="muted">Its log could not be read: {error}</p>}
      {lines && lines.length === 0 && <p className="muted">It printed nothing.</p>}
      {lines && lines.length > 0 && (
        <pre data-field="step-log" tabIndex={0} aria-label={`Last lines of ${service}'s log`}>
          {lines.map((l) => l.text).join('\n')}
        </pre>
      )}
      <Link href={`/services/${service}`}>Its full log</Link>
    </div>
  );
}
