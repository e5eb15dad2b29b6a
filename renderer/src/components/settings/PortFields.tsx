import type { DoctorCheck } from '../../../../server/src/contract/index.js';
import { errorFor } from '../../state/settings-store-form';
import { Field } from './Field';
import type { FieldsProps } from './fields-props';

export interface PortStatus {
  checking: boolean;
  http?: DoctorCheck | undefined;
  https?: DoctorCheck | undefined;
  error?: string | undefined;
}

function describe(check: DoctorCheck | undefined, checking: boolean) {
  if (checking) return <span className="port-checking">Checking…</span>;
  if (!check) return undefined;
  return (
    <span className={check.status === 'fail' ? 'port-taken' : 'port-free'}>
      {check.status === 'fail' ? '✗ ' : '✓ '}
      {check.summary}
      {check.fix ? ` ${check.fix}` : ''}
    </span>
  );
}

/** The HTTP and HTTPS ports, each with the server's live check of whether it is free. */
export function PortFields({
  values,
  errors,
  onChange,
  ports,
}: FieldsProps & { ports?: PortStatus }) {
  return (
    <div className="field-row">
      <Field
        id="httpPort"
        label="HTTP port"
        hint="80 is the web's usual port; pick another (such as 8080) when something already uses it."
        error={errorFor(errors, 'httpPort')}
        status={ports ? describe(ports.http, ports.checking) : undefined}
      >
        {(aria) => (
          <input
            {...aria}
            type="text"
            inputMode="numeric"
            value={values.httpPort}
            onChange={(e) => onChange('httpPort', e.target.value)}
          />
        )}
      </Field>
      <Field
        id="httpsPort"
        label="HTTPS port"
        hint="443 is usual; used with HTTPS."
        error={errorFor(errors, 'httpsPort')}
        status={ports ? (ports.error ?? describe(ports.https, ports.checking)) : undefined}
      >
        {(aria) => (
          <input
            {...aria}
            type="text"
            inputMode="numeric"
            value={values.httpsPort}
            onChange={(e) => onChange('httpsPort', e.target.value)}
          />
        )}
      </Field>
    </div>
  );
}
