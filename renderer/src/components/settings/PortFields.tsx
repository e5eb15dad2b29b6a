import type { DoctorCheck } from '@contract';
import { usesHttps, type PortChecks } from '../../state/port-checks';
import type { FieldsProps } from './fields-props';
import { TextField } from './TextField';

export type PortStatus = PortChecks;

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

/**
 * The HTTP port, and the HTTPS port when a domain with HTTPS is used (only then is it published),
 * each with the server's live check of whether it is free.
 */
export function PortFields({ ports, ...props }: FieldsProps & { ports?: PortStatus }) {
  // A message about the HTTPS port keeps it in view even when it is not used.
  const https = usesHttps(props.values) || props.errors.httpsPort !== undefined;
  return (
    <div className="field-row">
      <TextField
        fields={props}
        name="httpPort"
        label="HTTP port"
        hint="80 is the web's usual port; pick another (such as 8080) when something already uses it."
        status={
          // Once the same verdict stands as the field's message, it is not said twice.
          ports && !props.errors.httpPort
            ? (ports.error ?? describe(ports.http, ports.checking))
            : undefined
        }
        type="text"
        inputMode="numeric"
      />
      {https && (
        <TextField
          fields={props}
          name="httpsPort"
          label="HTTPS port"
          hint="443 is usual; used for HTTPS on your domain."
          status={
            ports && !ports.error && !props.errors.httpsPort
              ? describe(ports.https, ports.checking)
              : undefined
          }
          type="text"
          inputMode="numeric"
        />
      )}
    </div>
  );
}
