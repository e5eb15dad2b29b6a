/**
 * The app's own release check, built from where this copy runs (how it was installed), where
 * releases are published (package.json's `repository`, or MEDIANEST_APPLIANCE_RELEASES_URL) and
 * the settings table; used by the CLI's `app-release` verb and by createServer, which checks once
 * a day (the desktop app leaves that to electron-updater).
 */
import { existsSync, realpathSync } from 'node:fs';
import { arch } from 'node:os';
import type { AppRelease } from '../contract/app-release-routes.js';
import { AppReleaseService } from '../core/app-release/app-release-service.js';
import { installSource } from '../core/app-release/install-source.js';
import type { SettingsRepository } from '../core/settings/settings-repository.js';
import { UpdateScheduler } from '../core/updates/update-scheduler.js';
import { GitHubReleases, githubLatestReleaseUrl } from '../infra/net/github-releases.js';
import { APP_REPOSITORY, APP_ROOT, APP_VERSION } from '../version.js';
import type { Env } from './engine.js';

/** A latest-release URL in GitHub's format (a mirror, a fork's releases) instead of package.json's. */
export const RELEASES_URL_ENV = 'MEDIANEST_APPLIANCE_RELEASES_URL';

export interface AppReleaseOptions {
  /** Check once a day (default true); the desktop app has electron-updater for this. */
  scheduled?: boolean;
  /** The latest-release URL, before the environment's and package.json's. */
  latestUrl?: string;
  /** How long after the start the first check waits (default a minute); tests shorten it. */
  firstCheckDelayMs?: number;
}

const realPath = (path: string | undefined): string | undefined => {
  try {
    return path === undefined ? undefined : realpathSync(path);
  } catch {
    return path;
  }
};

/** The URL to ask, or why there is none. */
function releasesUrl(env: Env, latestUrl: string | undefined): { url?: string; why?: string } {
  const given = latestUrl ?? env[RELEASES_URL_ENV];
  if (given !== undefined) {
    return /^https?:\/\/[^\s]+$/.test(given) && URL.canParse(given)
      ? { url: given }
      : { why: `${RELEASES_URL_ENV}: must be an http or https URL` };
  }
  const url = githubLatestReleaseUrl(APP_REPOSITORY);
  return url
    ? { url }
    : { why: `package.json names no GitHub repository; ${RELEASES_URL_ENV} can name a URL` };
}

export function createAppReleaseService(
  env: Env,
  settings: SettingsRepository,
  latestUrl?: string,
): AppReleaseService {
  const { url, why } = releasesUrl(env, latestUrl);
  return new AppReleaseService({
    current: APP_VERSION,
    install: installSource({
      electron: process.versions.electron !== undefined,
      ...(env.APPIMAGE ? { appImage: env.APPIMAGE } : {}),
      ...(APP_ROOT ? { packageRoot: realPath(APP_ROOT) } : {}),
      exists: existsSync,
    }),
    arch: arch(),
    source: url
      ? new GitHubReleases({ url, userAgent: `medianest-appliance/${APP_VERSION}` })
      : undefined,
    ...(why ? { noSourceReason: why } : {}),
    settings,
    now: () => new Date(),
  });
}

export interface AppReleaseArea {
  service: AppReleaseService;
  scheduler: UpdateScheduler;
}

/** The service and its daily schedule, for createServer. */
export function createAppReleaseArea(deps: {
  env: Env;
  settings: SettingsRepository;
  options?: AppReleaseOptions;
  /** A check found a newer release (logged, so a headless install's journal shows it). */
  onNewer: (report: AppRelease) => void;
  onError: (message: string, error: unknown) => void;
}): AppReleaseArea {
  const service = createAppReleaseService(deps.env, deps.settings, deps.options?.latestUrl);
  const scheduled = deps.options?.scheduled ?? true;
  // The stack's update schedule, at a fixed day: one request to GitHub, so a job may run meanwhile.
  const scheduler = new UpdateScheduler({
    settings: () => ({
      check: { enabled: scheduled && service.settings().check.enabled, everyHours: 24 },
      pinned: {},
      skipped: {},
    }),
    lastCheckAt: () => service.lastCheckAt(),
    check: async () => {
      const report = await service.check();
      if (report.updateAvailable) deps.onNewer(report);
    },
    jobRunning: () => false,
    now: () => new Date(),
    onError: deps.onError,
    ...(deps.options?.firstCheckDelayMs !== undefined
      ? { startDelayMs: deps.options.firstCheckDelayMs }
      : {}),
  });
  return { service, scheduler };
}
