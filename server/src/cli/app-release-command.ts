import type { AppRelease } from '../contract/app-release-routes.js';
import type { HomePaths } from '../infra/fs/home.js';
import { openDatabase } from '../infra/store/database.js';
import { SqliteSettings } from '../infra/store/sqlite-settings.js';
import { createAppReleaseService } from '../app/app-release.js';
import { UsageError, VERBS, type ParsedCommand } from './args.js';
import { EXIT, type CliIo } from './io.js';
import { ageOf } from './updates-command.js';

const USAGE = VERBS['app-release']?.usage ?? 'app-release';

const INSTALLED: Record<AppRelease['installedFrom'], string> = {
  desktop: 'the desktop app',
  npm: 'installed with npm',
  deb: 'installed from a .deb package',
  appimage: 'an AppImage',
  checkout: 'a git checkout',
  unknown: 'installed in a way it cannot tell',
};

/** This version, the newest release, how to update, and what went wrong, as lines. */
export function formatAppRelease(report: AppRelease, now: Date): string {
  const lines = [`MediaNest Appliance ${report.current} (${INSTALLED[report.installedFrom]}).`];
  const { latest } = report;
  const checked = report.checkedAt ? `checked ${ageOf(report.checkedAt, now)}` : '';
  if (latest && report.updateAvailable) {
    const published = latest.publishedAt ? `, published ${latest.publishedAt.slice(0, 10)}` : '';
    lines.push(`A newer release is out: ${latest.version}${published} (${checked}): ${latest.url}`);
    if (report.howToUpdate) {
      lines.push(report.howToUpdate.text);
      for (const command of report.howToUpdate.commands) lines.push(`  ${command}`);
    }
  } else if (latest) {
    lines.push(`This is the newest release (${latest.version}; ${checked}).`);
  } else if (report.checkedAt) {
    lines.push(`No release is published yet (${checked}).`);
  }
  if (report.error) {
    const older = report.checkedAt
      ? `the answer above is from ${ageOf(report.checkedAt, now)}`
      : 'no earlier answer';
    lines.push(
      `The last check could not tell: ${report.error.message} (${ageOf(report.error.at, now)}); ${older}.`,
    );
  } else if (!report.checkedAt) {
    lines.push('No check has run yet: `app-release --check` runs one.');
  }
  if (report.installedFrom !== 'desktop')
    lines.push(
      report.settings.check.enabled
        ? 'The server checks once a day; `app-release auto off` turns that off.'
        : 'The server does not check by itself; `app-release auto on` turns that on.',
    );
  return lines.join('\n');
}

/**
 * `app-release`: whether a newer MediaNest Appliance is released (the last answer, or with
 * `--check` a fresh one) and how to update this copy; `app-release auto on|off` for the server's
 * daily check. Exit 0; 1 when `--check` could not ask (the last answer is still printed).
 */
export async function appReleaseCommand(
  cmd: ParsedCommand,
  paths: HomePaths,
  io: CliIo,
): Promise<number> {
  const [action, value, ...rest] = cmd.positionals;
  if (rest.length > 0 || (action !== undefined && action !== 'auto'))
    throw new UsageError(`app-release: unknown arguments; ${USAGE}`);
  if (action === 'auto' && value !== 'on' && value !== 'off')
    throw new UsageError('app-release auto takes on or off');
  if (action !== undefined && cmd.values.check)
    throw new UsageError('app-release --check takes no other argument');
  const db = openDatabase(paths.db);
  try {
    const service = createAppReleaseService(io.env, new SqliteSettings(db));
    if (action === 'auto') service.setSettings({ check: { enabled: value === 'on' } });
    const report = cmd.values.check ? await service.check() : service.report();
    io.stdout(
      cmd.values.json === true
        ? JSON.stringify(report, null, 2)
        : formatAppRelease(report, new Date()),
    );
    // A successful check clears the last failure: an error left after `--check` is this one's.
    return cmd.values.check === true && report.error !== undefined ? EXIT.failed : EXIT.ok;
  } finally {
    db.close();
  }
}
