import type { DoctorReport } from '../../contract/doctor.js';
import type { LogLine } from '../../contract/logs-routes.js';
import type { Job } from '../../contract/stack-routes.js';
import type { ServiceStatus } from '../../contract/stack.js';
import type { DomainEvent } from '../../contract/events.js';
import type { FileSystem } from '../file-system.js';
import { createMasker, MASK } from '../logs/mask.js';
import { tarGz, type TarFile } from '../tar/tar-gz.js';
import { messageOf } from '../../contract/errors.js';

/** Each part is optional: a bundle from a broken install is the most useful one. */
export interface SupportBundleDeps {
  fs: FileSystem;
  appVersion: string;
  now: () => Date;
  /** Secret name -> current value (the stack's secrets folder), for naming and masking. */
  secrets: () => Promise<Map<string, string>>;
  /** Other values to mask (the server's token, session secrets). */
  extraSecrets?: () => string[];
  doctor?: () => Promise<DoctorReport>;
  engine?: () => Promise<unknown>;
  status?: () => Promise<ServiceStatus[]>;
  jobs?: () => Promise<Job[]>;
  events?: () => DomainEvent[];
  /** The last N lines of every service, merged (already masked by the log service). */
  logs?: (linesPerService: number) => Promise<LogLine[]>;
}

export interface SupportBundleOptions {
  composeFile: string;
  envFile: string;
  /** The app's own log files, when it writes any; each is cut to its last 2 MiB. */
  appLogs: string[];
  linesPerService: number;
}

const APP_LOG_MAX = 2 * 1024 * 1024;

async function attempt<T>(what: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await what();
  } catch (error) {
    return { error: messageOf(error) };
  }
}

/**
 * One archive for a bug report: versions, the doctor report, the engine, the rendered compose
 * file with each secret value replaced by `<secret:NAME>`, service states, recent jobs and events,
 * the last lines of every service, the app's own log. Every entry then passes the masker, and the
 * archive is refused if any secret value survived anywhere in it.
 */
export async function buildSupportBundle(
  deps: SupportBundleDeps,
  options: SupportBundleOptions,
): Promise<{ name: string; data: Buffer }> {
  const now = deps.now();
  const secrets = await deps.secrets().catch(() => new Map<string, string>());
  const named = [...secrets.entries()]
    .filter(([, value]) => value.length >= 8)
    .sort((a, b) => b[1].length - a[1].length);
  const values = [...named.map(([, v]) => v), ...(deps.extraSecrets?.() ?? [])];
  const mask = createMasker(values);
  const nameSecrets = (text: string): string => {
    let out = text;
    for (const [name, value] of named) out = out.split(value).join(`<secret:${name}>`);
    return mask(out);
  };
  const json = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';
  const entries: TarFile[] = [];
  const add = (name: string, text: string): void => {
    entries.push({ name: `medianest-support/${name}`, data: nameSecrets(text), mtime: now });
  };

  add(
    'version.json',
    json({
      app: deps.appVersion,
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      createdAt: now.toISOString(),
    }),
  );
  if (deps.doctor) add('doctor.json', json(await attempt(deps.doctor)));
  if (deps.engine) add('engine.json', json(await attempt(deps.engine)));
  if (deps.status) add('services.json', json(await attempt(deps.status)));
  if (deps.jobs) add('jobs.json', json(await attempt(deps.jobs)));
  if (deps.events) add('events.json', json(deps.events()));
  for (const [file, name] of [
    [options.composeFile, 'compose.yaml'],
    [options.envFile, 'env'],
  ] as const) {
    if (await deps.fs.exists(file)) add(name, await deps.fs.readText(file));
  }
  if (deps.logs) {
    const logs = await attempt(() => deps.logs?.(options.linesPerService) ?? Promise.resolve([]));
    add(
      'logs/services.log',
      Array.isArray(logs)
        ? logs.map((l) => `${l.time} ${l.service} ${l.stream} ${l.text}\n`).join('')
        : `could not read the logs: ${logs.error}\n`,
    );
  }
  for (const file of options.appLogs) {
    if (!(await deps.fs.exists(file))) continue;
    const text = await deps.fs.readText(file);
    add(`app/${file.split(/[\\/]/).pop() ?? 'app.log'}`, text.slice(-APP_LOG_MAX));
  }
  entries.push({
    name: 'medianest-support/README.txt',
    data: `Secret values are replaced by <secret:NAME> or ${MASK}; none are in this archive.\n`,
    mtime: now,
  });
  for (const entry of entries) {
    const text = entry.data.toString();
    if (values.some((v) => v.length >= 8 && text.includes(v))) {
      throw new Error(`a secret value survived masking in ${entry.name}`);
    }
  }
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return { name: `medianest-support-${stamp}.tar.gz`, data: tarGz(entries) };
}
