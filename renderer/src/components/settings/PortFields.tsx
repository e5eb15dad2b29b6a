import type { DoctorCheck } from '../../../../server/src/contract/index.js';
import type { FieldsProps } from './fields-props';
import { TextField } from './TextField';

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
export function PortFields({ ports, ...props }: FieldsProps & { ports?: PortStatus }) {
  return (
    <div className="field-row">
      <TextField
        fields={props}
        name="httpPort"
        label="HTTP port"
        hint="80 is the web's usual port; pick another (such as 8080) when something already uses it."
        status={ports ? describe(ports.http, ports.checking) : undefined}
        type="text"
        inputMode="numeric"
      />
      <TextField
        fields={props}
        name="httpsPort"
        label="HTTPS port"
        hint="443 is usual; used with HTTPS."
        status={ports ? (ports.error ?? describe(ports.https, ports.checking)) : undefined}
        type="text"
        inputMode="numeric"
      />
    </div>
  );
}
