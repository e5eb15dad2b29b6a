import type { ApiClient, DoctorCheck, DoctorReport } from '@contract';
import type { FieldErrors, SettingsFormValues } from './settings-store-form';
import { messageOf } from '@contract';

/** The server's live verdict on the HTTP and HTTPS ports typed in a form. */
export interface PortChecks {
  checking: boolean;
  http?: DoctorCheck;
  https?: DoctorCheck;
  error?: string;
}

/** A port as typed, when it is one at all (the server names anything else when asked to save it). */
export function typedPort(value: string): number | undefined {
  return /^[0-9]{1,5}$/.test(value.trim()) && Number(value) <= 65535 ? Number(value) : undefined;
}

/**
 * Asks the server's doctor about the ports in `values`, now. The whole report comes back too, so
 * the readiness checks on the page can show the ports the user chose, not the defaults.
 */
export async function checkPortsNow(
  client: ApiClient,
  values: Pick<SettingsFormValues, 'httpPort' | 'httpsPort'>,
): Promise<{ ports: PortChecks; report?: DoctorReport }> {
  const http = typedPort(values.httpPort);
  const https = typedPort(values.httpsPort);
  if (http === undefined && https === undefined) return { ports: { checking: false } };
  try {
    const report = await client.doctor({
      ...(http !== undefined ? { httpPort: http } : {}),
      ...(https !== undefined ? { httpsPort: https } : {}),
    });
    const find = (id: string) => report.checks.find((c) => c.id === id);
    const ports: PortChecks = { checking: false };
    const httpCheck = http !== undefined ? find('ports.http') : undefined;
    const httpsCheck = https !== undefined ? find('ports.https') : undefined;
    if (httpCheck) ports.http = httpCheck;
    if (httpsCheck) ports.https = httpsCheck;
    return { ports, report };
  } catch (error) {
    return {
      ports: { checking: false, error: messageOf(error) },
    };
  }
}

/**
 * The port fields another program holds, each with what to do: these block Next, Install and
 * Apply, since the stack could not start on them. A port MediaNest itself holds is not among them
 * (the server says so).
 */
export function takenPortErrors(
  ports: PortChecks,
  values: Pick<SettingsFormValues, 'access' | 'profiles'>,
): FieldErrors {
  const errors: FieldErrors = {};
  const message = (check: DoctorCheck) => `${check.summary} ${check.fix ?? ''}`.trim();
  if (ports.http?.status === 'fail') errors.httpPort = message(ports.http);
  if (ports.https?.status === 'fail' && usesHttps(values)) errors.httpsPort = message(ports.https);
  return errors;
}

/** The HTTPS port is published only with a domain and HTTPS (the tls profile). */
export function usesHttps(values: Pick<SettingsFormValues, 'access' | 'profiles'>): boolean {
  return values.access === 'domain' && values.profiles.includes('tls');
}

/** A function that runs `task` once `delayMs` passed without another call; the last call wins. */
export function debounced(delayMs: number): (task: () => void) => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (task) => {
    clearTimeout(timer);
    timer = setTimeout(task, delayMs);
  };
}
