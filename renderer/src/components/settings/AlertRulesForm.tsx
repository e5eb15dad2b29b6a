import type { FormEvent } from 'react';
import type { ApiClient } from '@contract';
import { useAlertSettingsStore } from '../../state/settings-store-alerts';
import { useFields } from '../../state/use-fields';
import { FormFooter } from '../ui/FormFooter';
import { InputField } from '../ui/InputField';

/** Each rule in plain words, with the label of each of its values. */
const RULES: { id: string; title: string; values: Record<string, string> }[] = [
  {
    id: 'medianestDown',
    title: 'MediaNest is down (a service it needs is not up): alert at once, as critical',
    values: { afterSeconds: 'After (seconds)' },
  },
  {
    id: 'serviceUnhealthy',
    title: 'A service is unhealthy',
    values: { afterSeconds: 'For longer than (seconds)' },
  },
  {
    id: 'crashLoop',
    title: 'A service keeps restarting',
    values: { restarts: 'Restarts', withinSeconds: 'Within (seconds)' },
  },
  { id: 'oomKilled', title: 'A service ran out of memory', values: {} },
  {
    id: 'exitedNonZero',
    title: 'A service stopped with an error',
    values: { afterSeconds: 'After (seconds)' },
  },
  {
    id: 'serviceStopped',
    title: 'A service stopped while the rest runs',
    values: { afterSeconds: 'After (seconds)' },
  },
  {
    id: 'memoryHigh',
    title: 'Memory near its limit',
    values: { percent: 'Above (% of the limit)', forSeconds: 'For (seconds)' },
  },
  {
    id: 'diskLow',
    title: 'The data disk is almost full',
    values: { minFreePercent: 'Less free than (%)' },
  },
  { id: 'backupStale', title: 'No recent backup', values: { graceHours: 'Hours late' } },
  { id: 'tlsExpiring', title: 'The certificate expires soon', values: { days: 'Within (days)' } },
  {
    id: 'tlsRenewalFailed',
    title: "Let's Encrypt could not issue or renew the certificate",
    values: {},
  },
  { id: 'updateRolledBack', title: 'An update was rolled back (or failed)', values: {} },
  {
    id: 'quietHours',
    title: 'Quiet hours: hold notifications',
    values: { start: 'From', end: 'Until' },
  },
];

const fieldId = (path: string) => `alert-${path.replace('.', '-')}`;

/** The alert rules and quiet hours; each refused value named next to its field. */
export function AlertRulesForm({ client }: { client: ApiClient }) {
  const {
    rules,
    rulesErrors: errors,
    rulesSaved: saved,
    setRule,
    saveRules,
  } = useFields(useAlertSettingsStore, [
    'rules',
    'rulesErrors',
    'rulesSaved',
    'setRule',
    'saveRules',
  ]);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void saveRules(client);
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby="alert-rules-title">
      <h3 id="alert-rules-title">When to alert</h3>
      {RULES.map((rule) => (
        <fieldset key={rule.id} className="choices rule" data-rule={rule.id}>
          <legend>
            <label>
              <input
                type="checkbox"
                checked={rules[`${rule.id}.enabled`] === true}
                onChange={(e) => setRule(`${rule.id}.enabled`, e.target.checked)}
              />{' '}
              {rule.title}
            </label>
          </legend>
          {Object.keys(rule.values).length > 0 && (
            <div className="field-row">
              {Object.entries(rule.values).map(([key, label]) => {
                const path = `${rule.id}.${key}`;
                return (
                  <InputField
                    key={key}
                    id={fieldId(path)}
                    label={label}
                    error={errors[path]}
                    data-path={path}
                    value={String(rules[path] ?? '')}
                    onValue={(value) => setRule(path, value)}
                  />
                );
              })}
            </div>
          )}
        </fieldset>
      ))}
      <FormFooter error={errors['(rules)']} saved={saved} submit="Save the rules" />
    </form>
  );
}
