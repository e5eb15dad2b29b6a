import { useEffect, useState } from 'react';
import type { ResourceHistory, ResourceRange } from '../../../server/src/contract/index.js';
import { useLiveStore } from '../state/live-store';
import { formatBytes } from './format';
import { Sparkline } from './Sparkline';

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
      (e: unknown) => current && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      current = false;
    };
  }, [client, service, range]);

  const limit = history?.points.at(-1)?.memoryLimitBytes ?? 0;
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
            <figcaption>CPU (% of one core, average per {history.stepSeconds} s)</figcaption>
            <Sparkline
              values={slots(history, (p) => p.cpuPercentAvg)}
              max={100}
              width={600}
              height={120}
              label={`${service} CPU over the last ${range}`}
            />
          </figure>
          <figure>
            <figcaption>Memory against its limit ({formatBytes(limit)})</figcaption>
            <Sparkline
              values={slots(history, (p) => p.memoryBytesAvg)}
              max={limit}
              width={600}
              height={120}
              label={`${service} memory over the last ${range}`}
            />
          </figure>
        </div>
      )}
    </section>
  );
}
