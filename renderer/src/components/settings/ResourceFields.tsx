import { RESOURCE_SERVICES } from '../../state/settings-store-form';
import type { FieldsProps } from './fields-props';
import { TableHead } from '../ui/TableHead';

/** CPU and memory limits per service; empty keeps the template's limit. */
export function ResourceFields({ values, errors, onChange }: FieldsProps) {
  const setLimit = (service: string, key: 'cpus' | 'memory', value: string) => {
    const current = values.resources[service] ?? { cpus: '', memory: '' };
    onChange('resources', { ...values.resources, [service]: { ...current, [key]: value } });
  };
  return (
    <table className="resources">
      <caption>Limits per service (empty: the default)</caption>
      <TableHead columns={['Service', 'CPUs', 'Memory']} />
      <tbody>
        {RESOURCE_SERVICES.map((service) => {
          const limits = values.resources[service] ?? { cpus: '', memory: '' };
          return (
            <tr key={service}>
              <th scope="row">{service}</th>
              {(['cpus', 'memory'] as const).map((key) => {
                const id = `resources-${service}-${key}`;
                const error = errors[`resources.${service}.${key}`];
                return (
                  <td key={key} data-field={id} className={error ? 'field-invalid' : undefined}>
                    <input
                      id={id}
                      aria-label={`${service} ${key === 'cpus' ? 'CPUs' : 'memory'}`}
                      aria-invalid={Boolean(error)}
                      aria-describedby={error ? `${id}-error` : undefined}
                      placeholder="default"
                      value={limits[key]}
                      onChange={(e) => setLimit(service, key, e.target.value)}
                    />
                    {error && (
                      <p className="field-error" id={`${id}-error`}>
                        {error}
                      </p>
                    )}
                  </td>
                );
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
