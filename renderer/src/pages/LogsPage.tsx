import { useSearchParams, navigate } from '../router';
import { LogsView } from '../components/LogsView';
import { useLiveStore } from '../state/live-store';

/** The merged log of the stack, or one service's (`?service=name`). */
export function LogsPage() {
  const params = useSearchParams();
  const service = params.get('service') ?? '';
  const names = useLiveStore((s) => (s.status ?? []).map((x) => x.service).join(','));
  return (
    <section className="card" aria-labelledby="logs-title">
      <div className="card-head">
        <h2 id="logs-title">Logs</h2>
        <label>
          Service{' '}
          <select
            value={service}
            onChange={(e) =>
              navigate(
                e.target.value ? `/logs?service=${encodeURIComponent(e.target.value)}` : '/logs',
                {
                  replace: true,
                },
              )
            }
          >
            <option value="">All services (merged)</option>
            {names
              .split(',')
              .filter(Boolean)
              .map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
          </select>
        </label>
      </div>
      <LogsView services={service ? [service] : []} />
    </section>
  );
}
