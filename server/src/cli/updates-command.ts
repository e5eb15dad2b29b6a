import type { ServiceUpdate, UpdatesReport } from '../contract/updates-routes.js';
import type { HomePaths } from '../infra/fs/home.js';
import { openDatabase } from '../infra/store/database.js';
import { SqliteSettings } from '../infra/store/sqlite-settings.js';
import { createUpdateService } from '../app/updates.js';
import { UsageError, VERBS, type ParsedCommand } from './args.js';
import { EXIT, type CliIo } from './io.js';
import { textTable } from './text-table.js';

const UPDATES_USAGE = VERBS.updates?.usage ?? 'updates';

/** "3 h ago", "2 d ago", "just now". */
export function ageOf(iso: string, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

/** `sha256:0123456789abcdef…` -> `sha256:0123456789ab`. */
const short = (digest: string): string => digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]*$/, '$1');

function current(s: ServiceUpdate): string {
  if (!s.present) return `${s.tag ?? '-'} (not pulled yet)`;
  if (s.checkout)
    return `${s.tag ?? '-'} (built here from ${s.checkout.branch} ${s.checkout.commit.slice(0, 12)})`;
  if (s.localBuild) return `${s.tag ?? '-'} (built or loaded here)`;
  return [s.tag, s.currentDigest && short(s.currentDigest)].filter(Boolean).join(' ') || '-';
}

function available(s: ServiceUpdate): string {
  const offers = [
    ...(s.newDigest ? [`new digest on ${s.tag ?? 'the tag'} (${short(s.newDigest)})`] : []),
    ...(s.newerVersions.length > 0
      ? [`newer version ${s.newerVersions.map((v) => `${v.tag} (${v.step})`).join(', ')}`]
      : []),
    ...(s.checkout?.newest && s.checkout.behind > 0 && s.checkout.newest !== s.skipped
      ? [
          `${s.checkout.behind} newer commit${s.checkout.behind === 1 ? '' : 's'} on ${s.checkout.branch} (${s.checkout.newest.slice(0, 12)} ${s.checkout.subject ?? ''})`.replace(
            / \)$/,
            ')',
          ),
        ]
      : []),
  ];
  const said = offers.join('; ') || (s.checkedAt ? 'up to date' : 'not checked yet');
  if (s.pinned) return `pinned${offers.length ? ` (${said})` : ''}`;
  return s.skipped ? `${said}; skipping ${short(s.skipped)}` : said;
}

/** The answers as a table, then what went wrong, then each available image's labels. */
export function formatUpdates(report: UpdatesReport, now: Date): string {
  const rows = report.services.map((s) => [
    s.service,
    s.image,
    current(s),
    available(s),
    s.checkedAt ? ageOf(s.checkedAt, now) : 'never',
  ]);
  const lines = [textTable(['SERVICE', 'IMAGE', 'CURRENT', 'AVAILABLE', 'CHECKED'], rows)];
  for (const s of report.services) {
    if (s.error)
      lines.push(
        `${s.service}: ${s.error.message} (${ageOf(s.error.at, now)}); the answer above is from ${s.checkedAt ? ageOf(s.checkedAt, now) : 'no earlier check'}.`,
      );
  }
  for (const s of report.services) {
    if (!s.updateAvailable || !s.checkout?.newest || s.checkout.behind === 0) continue;
    lines.push(
      `${s.service}: to take the newer commits, pull them in ${s.checkout.dir} (git pull), rebuild (medianest-appliance images build ${s.checkout.dir}) and update to the new image (medianest-appliance update ${s.service === 'frontend' ? 'frontend' : 'backend'} --to <its tag>).`,
    );
  }
  for (const s of report.services) {
    if (!s.updateAvailable || !s.labels) continue;
    lines.push(`${s.service}, newest available:`);
    for (const [name, value] of Object.entries(s.labels)) lines.push(`  ${name}: ${value}`);
  }
  if (report.services.length === 0) lines.push('No check has run yet: `updates --check` runs one.');
  const { check } = report.settings;
  lines.push(
    check.enabled
      ? `The server checks every ${check.everyHours} h${report.lastCheckAt ? `; last check ${ageOf(report.lastCheckAt, now)}` : ''}.`
      : 'Scheduled checks are off; `updates --check` checks now.',
  );
  return lines.join('\n');
}

function scheduleChange(value: string | undefined, enabled: boolean, everyHours: number) {
  if (value === 'on') return { enabled: true, everyHours };
  if (value === 'off') return { enabled: false, everyHours };
  if (value !== undefined && /^\d+$/.test(value)) return { enabled, everyHours: Number(value) };
  throw new UsageError('updates schedule takes on, off or a number of hours');
}

/**
 * `updates`: the last answers (or, with `--check`, fresh ones); pin, skip and the schedule.
 * Exit 0; 1 when `--check` could not ask a registry (the last answers are still printed).
 */
export async function updatesCommand(
  cmd: ParsedCommand,
  paths: HomePaths,
  io: CliIo,
): Promise<number> {
  const db = openDatabase(paths.db);
  try {
    const service = createUpdateService(paths, io.env, new SqliteSettings(db));
    const [action, service_, version, ...rest] = cmd.positionals;
    if (rest.length > 0) throw new UsageError(`updates: too many arguments; ${UPDATES_USAGE}`);
    if (action !== undefined && cmd.values.check)
      throw new UsageError('updates --check takes no other argument');
    const needService = () => {
      if (!service_) throw new UsageError(`updates ${action ?? ''} needs a SERVICE`);
      return service_;
    };
    switch (action) {
      case undefined:
        if (cmd.values.check) await service.check();
        break;
      case 'pin':
      case 'unpin':
        service.pin(needService(), action === 'pin');
        break;
      case 'skip':
        if (!version) throw new UsageError('updates skip needs a SERVICE and a VERSION');
        service.skip(needService(), version);
        break;
      case 'unskip':
        service.skip(needService(), undefined);
        break;
      case 'schedule': {
        const settings = service.report().settings;
        const check = scheduleChange(service_, settings.check.enabled, settings.check.everyHours);
        service.setSettings({ ...settings, check });
        break;
      }
      default:
        throw new UsageError(`updates: unknown action "${action}"; ${UPDATES_USAGE}`);
    }
    const report = service.report();
    io.stdout(
      cmd.values.json === true
        ? JSON.stringify(report, null, 2)
        : formatUpdates(report, new Date()),
    );
    const failed =
      cmd.values.check === true && report.services.some((s) => s.error?.at === report.lastCheckAt);
    return failed ? EXIT.failed : EXIT.ok;
  } finally {
    db.close();
  }
}
