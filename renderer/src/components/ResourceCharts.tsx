import { useEffect, useState } from 'react';
import type { ResourceHistory, ResourceRange } from '@contract';
import { useLiveStore } from '../state/live-store';
import { formatBytes } from '@contract';
import { formatDuration } from './format';
import { Sparkline } from './Sparkline';
import { messageOf } from '@contract';

const RANGES: { value: ResourceRange; label: string }[] = [
  { value: 'hour', label: 'Hour' },
  { value: 'day', label: 'Day' },
  { value: 'month', label: 'Month' },
];

/** Points on their time slots: a slot without a reading (service stopped) stays a gap. */
function slots<T>(history: ResourceHistory, pick: (p: ResourceHistory['points'][number]) => T) {
  const first = history.points[0];
  if (!first) return [];
  const start = Date.parse(first.at);
  const step = history.stepSeconds * 1000;
  const values: (T | undefined)[] = [];
  for (const point of history.points)
    values[Math.round((Date.parse(point.at) - start) / step)] = pick(point);
  return Array.from(values, (v) => v);
}

const percent = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} %`;

/** The latest and highest reading, each with a tooltip saying what it is. */
function Figures({
  values,
  show,
  what,
}: {
  values: readonly (number | undefined)[];
  show: (n: number) => string;
  what: string;
}) {
  const known = values.filter((v): v is number => v !== undefined);
  const latest = known.at(-1);
  if (latest === undefined) return null;
  return (
    <p className="muted chart-figures">
      <span title={`${what}, in the latest reading`}>Latest: {show(latest)}</span> ·{' '}
      <span title={`The highest ${what.toLowerCase()} in this range`}>
        Highest: {show(Math.max(...known))}
      </span>
    </p>
  );
}

/** CPU and memory of one service over the last hour, day or month. */
export function ResourceCharts({ service }: { service: string }) {
  const client = useLiveStore((s) => s.client);
  const [range, setRange] = useState<ResourceRange>('hour');
  const [history, setHistory] = useState<ResourceHistory>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    if (!client) return;
    let current = true;
    client.resourcesHistory({ service, range }).then(
      (h) => current && (setHistory(h), setError(undefined)),
      (e: unknown) => current && setError(messageOf(e)),
    );
    return () => {
      current = false;
    };
  }, [client, service, range]);

  const limit = history?.points.at(-1)?.memoryLimitBytes ?? 0;
  const cpu = history ? slots(history, (p) => p.cpuPercentAvg) : [];
  const memory = history ? slots(history, (p) => p.memoryBytesAvg) : [];
  const every = history ? formatDuration(history.stepSeconds) : '';
  return (
    <section className="card" aria-labelledby="res-title">
      <div className="card-head">
        <h2 id="res-title">Resources</h2>
        <div role="group" aria-label="Range" className="tabs">
          {RANGES.map((r) => (
            <button
              key={r.value}
              type="button"
              aria-pressed={range === r.value}
              onClick={() => setRange(r.value)}
            >
              {r.label}
            </button>
          ))}
        </div>
      </div>
      {error && <p className="error">Resource history is not available: {error}</p>}
      {history && history.points.length === 0 && (
        <p className="muted">No readings in this range yet.</p>
      )}
      {history && history.points.length > 0 && (
        <div className="charts">
          <figure>
            <figcaption
              title={`How busy ${service} kept this computer's processor. 100 % is one core fully busy; with several cores it can go higher.`}
            >
              Processor (CPU) used by {service}: 100 % is one core fully busy; each point is the
              average of {every}
            </figcaption>
            <Sparkline
              values={cpu}
              max={Math.max(100, ...cpu.map((v) => v ?? 0))}
              limit={100}
              limitLabel="one core fully busy (100 %)"
              width={600}
              height={120}
              label={`${service} CPU over the last ${range}`}
            />
            <Figures values={cpu} show={percent} what="Processor use" />
          </figure>
          <figure>
            <figcaption
              title={
                limit > 0
                  ? `Memory ${service} used. At its limit (${formatBytes(limit)}) Docker stops it.`
                  : `Memory ${service} used. No limit is set for it.`
              }
            >
              Memory used by {service}
              {limit > 0 ? `, against its limit of ${formatBytes(limit)}` : ' (no limit set)'}; each
              point is the average of {every}
            </figcaption>
            <Sparkline
              values={memory}
              max={limit}
              limitLabel={limit > 0 ? `limit: ${formatBytes(limit)}` : undefined}
              width={600}
              height={120}
              label={`${service} memory over the last ${range}`}
            />
            <Figures values={memory} show={formatBytes} what="Memory use" />
          </figure>
        </div>
      )}
    </section>
  );
}
