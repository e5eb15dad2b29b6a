import { AppError } from '../app-error.js';
import type { ExecResult, ServiceExec } from '../service-exec.js';
import { scramVerifier } from './rotation-scram.js';
import type { Scrubber } from './rotation-scrub.js';

/**
 * Setting a new password inside the service that keeps it in its own data. Clear text only ever
 * travels on the exec's stdin: never in argv (the host's process list, the engine's exec
 * inspection), never in the exec's environment, never in a statement PostgreSQL could log.
 */

/** POSTGRES_USER and POSTGRES_DB in the templates. */
const ROLE = 'medianest';
const PSQL_SOCKET = [
  'psql',
  '-X',
  '-q',
  '-v',
  'ON_ERROR_STOP=1',
  '-h',
  '/var/run/postgresql',
  '-U',
  ROLE,
  '-d',
  ROLE,
];

/**
 * The statements sent on psql's stdin. The session stops statement logging first (the role is
 * the cluster's superuser, which may), including the "statement:" line PostgreSQL adds to an
 * error, so even the verifier stays out of the server log.
 */
export function alterRoleScript(verifier: string): string {
  if (!/^SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/.test(verifier)) {
    throw new AppError('internal', 'Refusing to send a malformed SCRAM verifier to PostgreSQL.');
  }
  return [
    "SET log_statement = 'none';",
    'SET log_min_duration_statement = -1;',
    "SET log_min_error_statement = 'panic';",
    `ALTER ROLE ${ROLE} PASSWORD '${verifier}';`,
    '',
  ].join('\n');
}

/**
 * Logs in over TCP with scram-sha-256, as the backend will. The shell reads the password from
 * stdin into PGPASSWORD for psql alone; the script itself holds no value.
 */
export const VERIFY_LOGIN = [
  'sh',
  '-c',
  `IFS= read -r PGPASSWORD && export PGPASSWORD && exec psql -X -w -q -h 127.0.0.1 -p 5432 -U ${ROLE} -d ${ROLE} -tAc 'SELECT 1'`,
] as const;

/** `changed: false` when the step failed before anything inside the service could change. */
function failure(what: string, result: ExecResult, scrub: Scrubber, changed: boolean): AppError {
  const lines = scrub
    .text(`${result.stderr}\n${result.stdout}`)
    .split('\n')
    .map((line) => line.trim());
  // psql quotes the failing statement from "LINE n:" on; scrubbed or not, none of it is shown.
  const quoted = lines.findIndex((line) => /^LINE \d+:/.test(line));
  const said = (quoted < 0 ? lines : lines.slice(0, quoted))
    .filter((line) => line.length > 0)
    .slice(0, 3)
    .join(' / ');
  return new AppError(
    'conflict',
    `${what} failed (exit ${result.exitCode})${said ? `: ${said}` : ''}.`,
    {
      changed,
    },
  );
}

/** Makes the role `medianest` accept `password` (and only it), then proves it over TCP. */
export async function setPostgresPassword(
  engine: ServiceExec,
  password: string,
  scrub: Scrubber,
): Promise<void> {
  const verifier = scramVerifier(password);
  scrub.add(verifier);
  const altered = await engine.exec('postgres', PSQL_SOCKET, { stdin: alterRoleScript(verifier) });
  if (altered.exitCode !== 0) throw failure('ALTER ROLE inside postgres', altered, scrub, false);
  const login = await engine.exec('postgres', VERIFY_LOGIN, { stdin: `${password}\n` });
  if (login.exitCode !== 0 || login.stdout.trim() !== '1') {
    throw failure('Logging in to PostgreSQL with the new password', login, scrub, true);
  }
}

const GRAFANA_HOME = '/usr/share/grafana';

/**
 * Grafana reads its admin password from the file only when it creates its database, so a running
 * Grafana is reset through its own CLI (`grafana cli admin reset-admin-password
 * --password-from-stdin`, Grafana 9.1 and later; `grafana-cli` before 10). An image without that
 * CLI (the rig's stand-in) reads the file at every start instead: recreating it is enough, and
 * `up` does that. Returns whether the CLI was used.
 */
export async function setGrafanaPassword(
  engine: ServiceExec,
  password: string,
  scrub: Scrubber,
): Promise<boolean> {
  const found = await engine.exec('grafana', [
    'sh',
    '-c',
    'command -v grafana || command -v grafana-cli || true',
  ]);
  const binary = found.stdout.trim().split('\n')[0] ?? '';
  if (!binary.startsWith('/')) return false;
  const cli = binary.endsWith('/grafana')
    ? [binary, 'cli', '--homepath', GRAFANA_HOME]
    : [binary, '--homepath', GRAFANA_HOME];
  const reset = await engine.exec(
    'grafana',
    [...cli, 'admin', 'reset-admin-password', '--password-from-stdin'],
    { stdin: `${password}\n` },
  );
  if (reset.exitCode !== 0)
    throw failure('Resetting the Grafana admin password', reset, scrub, false);
  return true;
}

/** Sets `value` inside the service that keeps it (nothing to do for the others). */
export async function setInService(
  service: 'postgres' | 'grafana' | undefined,
  engine: ServiceExec,
  value: string,
  scrub: Scrubber,
): Promise<void> {
  if (service === 'postgres') await setPostgresPassword(engine, value, scrub);
  else if (service === 'grafana') await setGrafanaPassword(engine, value, scrub);
}

/** Refuses, before anything changes, when the service that keeps `name` cannot take a new value. */
export function requireHealthy(
  running: ReadonlyArray<{ service: string; health: string }>,
  service: string,
  name: string,
): void {
  const found = running.find((r) => r.service === service);
  const why = !found ? 'is not running' : found.health === 'healthy' ? '' : `is ${found.health}`;
  if (why) {
    throw new AppError(
      'conflict',
      `${name} is also kept inside ${service}, which ${why}: it can only be changed there while ${service} runs. Start the stack (\`medianest-appliance up\`${service === 'grafana' ? ', with the monitoring profile' : ''}) and rotate again.`,
    );
  }
}
