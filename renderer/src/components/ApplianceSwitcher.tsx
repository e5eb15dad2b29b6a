import { useEffect } from 'react';
import type { TrayState } from '@contract';
import { useAppliancesStore } from '../state/appliances-store';
import { currentAppliance, switchAppliance } from '../target';

const POLL_MS = 5_000;

const STATE_WORD: Record<TrayState, string> = {
  healthy: 'healthy',
  degraded: 'degraded',
  down: 'down',
  unknown: 'unknown',
};

/**
 * This computer or a paired appliance, each with its state (issue 21 §3). Shown once one is
 * paired; choosing one starts the page over on its dashboard.
 */
export function ApplianceSwitcher() {
  const appliances = useAppliancesStore((s) => s.appliances);
  const load = useAppliancesStore((s) => s.load);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [load]);
  const current = currentAppliance();
  if (!appliances || (appliances.length === 0 && current === undefined)) return null;
  const shown = appliances.find((a) => a.id === current);
  return (
    <label className="appliance-switcher" data-field="appliance">
      {shown && (
        <span
          className={`state-dot state-${shown.state}`}
          aria-hidden="true"
          title={shown.problem}
        />
      )}
      <select
        aria-label="Appliance"
        value={current ?? ''}
        onChange={(e) => switchAppliance(e.target.value === '' ? undefined : e.target.value)}
      >
        <option value="">This computer</option>
        {appliances.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name} ({a.state === 'unknown' && a.problem ? 'not reachable' : STATE_WORD[a.state]})
          </option>
        ))}
        {current !== undefined && !shown && <option value={current}>A forgotten appliance</option>}
      </select>
    </label>
  );
}
