/**
 * Is there a newer MediaNest Appliance? Asks the release source (on demand, or from the server's
 * daily schedule), keeps the last answer with its age in the settings, and says how to update from
 * the package this copy was installed from. Offline, the answer says so: a check never throws.
 */
import { z } from 'zod';
import {
  AppReleaseSettingsSchema,
  type AppRelease,
  type AppReleaseSettings,
} from '../../contract/app-release-routes.js';
import { messageOf } from '../../contract/errors.js';
import type { SettingsRepository } from '../settings/settings-repository.js';
import { compareVersions, parseVersionTag } from '../updates/version-tags.js';
import { howToUpdate } from './how-to-update.js';
import type { InstallSource } from './install-source.js';
import type { PublishedRelease, ReleaseSource } from './release-source.js';

export const APP_RELEASE_SETTINGS_KEY = 'app.release.settings';
export const APP_RELEASE_STATE_KEY = 'app.release.state';

const StoredReleaseSchema = z.object({
  tag: z.string(),
  url: z.url({ protocol: /^https?$/ }),
  publishedAt: z.string().optional(),
  assets: z.array(z.object({ name: z.string(), url: z.url({ protocol: /^https?$/ }) })),
});

/** The last answer and the last failure after it; read defensively (an older or edited value). */
const StateSchema = z.object({
  checkedAt: z.string().optional(),
  latest: StoredReleaseSchema.optional(),
  error: z.object({ message: z.string(), at: z.string() }).optional(),
});
type State = z.infer<typeof StateSchema>;

export interface AppReleaseDeps {
  /** This app's version. */
  current: string;
  install: InstallSource;
  /** Node's name for this machine's architecture (x64, arm64): which download fits. */
  arch: string;
  /** Undefined when nobody said where releases are published: nothing is asked then. */
  source: ReleaseSource | undefined;
  /** Why there is no source, for the answer (e.g. "package.json names no repository"). */
  noSourceReason?: string;
  settings: SettingsRepository;
  now: () => Date;
}

/** `v0.2.0` -> `0.2.0`; undefined for a tag that is no version. */
function versionOf(tag: string): string | undefined {
  const parsed = parseVersionTag(tag);
  return parsed && parsed.variant === '' ? tag.replace(/^v/, '') : undefined;
}

function isNewer(candidate: string, current: string): boolean {
  const a = parseVersionTag(candidate);
  const b = parseVersionTag(current);
  return a !== undefined && b !== undefined && compareVersions(a, b) > 0;
}

export class AppReleaseService {
  private running: Promise<AppRelease> | undefined;

  constructor(private readonly deps: AppReleaseDeps) {}

  settings(): AppReleaseSettings {
    const parsed = AppReleaseSettingsSchema.safeParse(
      this.deps.settings.get(APP_RELEASE_SETTINGS_KEY) ?? {},
    );
    return parsed.success ? parsed.data : AppReleaseSettingsSchema.parse({});
  }

  setSettings(settings: AppReleaseSettings): void {
    this.deps.settings.set(APP_RELEASE_SETTINGS_KEY, AppReleaseSettingsSchema.parse(settings));
  }

  private state(): State {
    const parsed = StateSchema.safeParse(this.deps.settings.get(APP_RELEASE_STATE_KEY) ?? {});
    return parsed.success ? parsed.data : {};
  }

  /** When the source was last asked, answered or not: the schedule counts a day from there. */
  lastCheckAt(): Date | undefined {
    const { checkedAt, error } = this.state();
    const last = [checkedAt, error?.at]
      .filter((t): t is string => t !== undefined)
      .sort()
      .at(-1);
    return last ? new Date(last) : undefined;
  }

  /** The last answer, never a fresh check. */
  report(nextCheckAt?: Date): AppRelease {
    const { current, install, arch, source } = this.deps;
    const state = this.state();
    const release = state.latest;
    const version = release ? versionOf(release.tag) : undefined;
    const updateAvailable = version !== undefined && isNewer(version, current);
    return {
      current,
      installedFrom: install.kind,
      ...(source ? { source: source.location } : {}),
      ...(release && version
        ? {
            latest: {
              version,
              tag: release.tag,
              url: release.url,
              ...(release.publishedAt ? { publishedAt: release.publishedAt } : {}),
            },
          }
        : {}),
      updateAvailable,
      ...(updateAvailable && release && version
        ? { howToUpdate: howToUpdate(install, release, version, arch) }
        : {}),
      ...(state.checkedAt ? { checkedAt: state.checkedAt } : {}),
      ...(state.error ? { error: state.error } : {}),
      settings: this.settings(),
      ...(nextCheckAt ? { nextCheckAt: nextCheckAt.toISOString() } : {}),
    };
  }

  /** Asks the source now; a check already under way is joined. */
  check(): Promise<AppRelease> {
    this.running ??= this.checkNow().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async checkNow(): Promise<AppRelease> {
    const at = this.deps.now().toISOString();
    const before = this.state();
    let next: State;
    try {
      const latest = await this.ask();
      next = { checkedAt: at, ...(latest ? { latest } : {}) };
    } catch (error) {
      // The last answer stays, with its age; the failure is shown beside it.
      next = { ...before, error: { message: messageOf(error), at } };
    }
    this.deps.settings.set(APP_RELEASE_STATE_KEY, next);
    return this.report();
  }

  private async ask(): Promise<PublishedRelease | undefined> {
    const { source } = this.deps;
    if (!source)
      throw new Error(
        `Where MediaNest Appliance releases are published is not known (${this.deps.noSourceReason ?? 'no release source'}).`,
      );
    const latest = await source.latest();
    if (latest && versionOf(latest.tag) === undefined)
      throw new Error(
        `the newest release's tag "${latest.tag.slice(0, 60)}" is not a version (${source.location})`,
      );
    return latest;
  }
}
