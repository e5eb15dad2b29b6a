/**
 * Knowing that there is an update: per service image, a newer digest on the same tag and newer
 * version tags of the same shape (version-tags.ts), asked of the registry on demand or on
 * schedule. A registry that does not answer keeps its last answer, with its time, and the reason
 * beside it. Pins and skipped versions are applied when the answers are shown, so unpinning shows
 * at once what the last check found.
 */
import type {
  ServiceUpdate,
  UpdateBecameAvailable,
  UpdateSettings,
  UpdatesReport,
} from '../../contract/updates-routes.js';
import { messageOf } from '../../contract/errors.js';
import { AppError } from '../app-error.js';
import { digestOfRepository, parseImageReference, type ImageReference } from './image-reference.js';
import type { CheckoutRemote, LocalImages, UpdateRegistry } from './registry-ports.js';
import type { StoredAnswer, UpdateState, UpdateStore } from './update-store.js';
import { newerVersionTags } from './version-tags.js';

export interface ServiceImage {
  service: string;
  image: string;
}

export interface UpdateServiceDeps {
  registry: UpdateRegistry;
  local: LocalImages;
  /** The services of the installed stack and their images (`conflict` before an install). */
  images: () => Promise<ServiceImage[]>;
  /** The remotes of the checkouts local builds were made from (git); absent: not asked. */
  checkouts?: CheckoutRemote;
  store: UpdateStore;
  now: () => Date;
  /** The server publishes first sightings; the CLI has no one to tell and leaves them to it. */
  publish?: (event: UpdateBecameAvailable) => void;
}

/** The answer for one image, asked once however many services run it (backend and migrate). */
async function ask(
  deps: Pick<UpdateServiceDeps, 'registry' | 'local' | 'checkouts'>,
  image: string,
  previous: StoredAnswer | undefined,
  at: string,
): Promise<StoredAnswer> {
  const kept = previous?.image === image ? previous : { image, present: false, newerVersions: [] };
  let reference: ImageReference;
  try {
    reference = parseImageReference(image);
  } catch (error) {
    return { ...kept, localBuild: false, error: { message: messageOf(error), at } };
  }
  const repoDigests = await deps.local.repoDigests(image);
  const present = repoDigests !== undefined;
  const localDigest = repoDigests && digestOfRepository(reference, repoDigests);
  const base = { image, present, ...(localDigest ? { localDigest } : {}) };
  // Built or loaded here: no registry has it, and asking one would only leak its name.
  if (present && !localDigest && !reference.digest) {
    return askCheckout(deps, { ...base, localBuild: true, newerVersions: [] }, kept, at);
  }
  try {
    // A reference by digest runs exactly that digest: its tag moving changes nothing.
    const remoteDigest =
      reference.tag && !reference.digest ? await deps.registry.remoteDigest(reference) : undefined;
    const tags = reference.tag ? await deps.registry.tags(reference) : undefined;
    const newerVersions = reference.tag && tags ? newerVersionTags(reference.tag, tags) : [];
    const newest = newerVersions.at(-1)?.tag;
    const moved =
      remoteDigest !== undefined && localDigest !== undefined && remoteDigest !== localDigest;
    const labelsOf = newest ?? (moved ? reference.tag : undefined);
    const labels = labelsOf
      ? await deps.registry.labels(reference, labelsOf).catch(() => undefined)
      : undefined;
    return {
      ...base,
      localBuild: false,
      ...(remoteDigest ? { remoteDigest } : {}),
      newerVersions,
      ...(labels ? { labels } : {}),
      checkedAt: at,
    };
  } catch (error) {
    return { ...kept, ...base, localBuild: false, error: { message: messageOf(error), at } };
  }
}

/**
 * A local build from a git checkout: its remote's branch, fetched. A remote that does not answer
 * keeps the last answer for the same commit, with the reason; a rebuild from another commit
 * starts afresh.
 */
async function askCheckout(
  deps: Pick<UpdateServiceDeps, 'local' | 'checkouts'>,
  answer: StoredAnswer,
  kept: Partial<StoredAnswer>,
  at: string,
): Promise<StoredAnswer> {
  const built =
    deps.checkouts && (await deps.local.buildCheckout?.(answer.image).catch(() => undefined));
  if (!built || !deps.checkouts) return { ...answer, checkedAt: at };
  const same = kept.checkout?.commit === built.commit && kept.checkout.dir === built.dir;
  try {
    const newer = await deps.checkouts.newer(built);
    const checkout = newer.behind > 0 ? { ...built, ...newer } : { ...built, behind: 0 };
    return { ...answer, checkout, checkedAt: at };
  } catch (error) {
    const checkout = same && kept.checkout ? kept.checkout : { ...built, behind: 0 };
    const checkedAt = same ? kept.checkedAt : undefined;
    return {
      ...answer,
      checkout,
      ...(checkedAt ? { checkedAt } : {}),
      error: { message: messageOf(error), at },
    };
  }
}

/** The versions a service is offered now: the new digest, then newer tags; pins and skips applied. */
function offered(answer: StoredAnswer, settings: UpdateSettings, service: string) {
  const skipped = settings.skipped[service];
  const newDigest =
    answer.remoteDigest &&
    answer.localDigest &&
    answer.remoteDigest !== answer.localDigest &&
    answer.remoteDigest !== skipped
      ? answer.remoteDigest
      : undefined;
  const newerVersions = answer.newerVersions.filter((v) => v.tag !== skipped);
  const { checkout } = answer;
  const newCommit =
    checkout && checkout.behind > 0 && checkout.newest !== skipped ? checkout.newest : undefined;
  const pinned = settings.pinned[service] === true;
  return { newDigest, newerVersions, newCommit, pinned, skipped };
}

export function serviceUpdate(
  service: string,
  answer: StoredAnswer,
  settings: UpdateSettings,
): ServiceUpdate {
  const { newDigest, newerVersions, newCommit, pinned, skipped } = offered(
    answer,
    settings,
    service,
  );
  let tag: string | undefined;
  try {
    tag = parseImageReference(answer.image).tag;
  } catch {
    tag = undefined;
  }
  return {
    service,
    image: answer.image,
    ...(tag ? { tag } : {}),
    ...(answer.localDigest ? { currentDigest: answer.localDigest } : {}),
    present: answer.present,
    localBuild: answer.localBuild,
    ...(newDigest ? { newDigest } : {}),
    newerVersions,
    ...(answer.labels ? { labels: answer.labels } : {}),
    ...(answer.checkout ? { checkout: answer.checkout } : {}),
    updateAvailable:
      !pinned && (newDigest !== undefined || newerVersions.length > 0 || newCommit !== undefined),
    pinned,
    ...(skipped ? { skipped } : {}),
    ...(answer.checkedAt ? { checkedAt: answer.checkedAt } : {}),
    ...(answer.error ? { error: answer.error } : {}),
  };
}

export class UpdateService {
  private running: Promise<UpdatesReport> | undefined;

  constructor(private readonly deps: UpdateServiceDeps) {}

  /** The last answers, without asking anyone. */
  report(nextCheckAt?: Date): UpdatesReport {
    const state = this.deps.store.state();
    const settings = this.deps.store.settings();
    return {
      services: Object.entries(state.answers).map(([service, answer]) =>
        serviceUpdate(service, answer, settings),
      ),
      settings,
      ...(state.lastCheckAt ? { lastCheckAt: state.lastCheckAt } : {}),
      ...(nextCheckAt ? { nextCheckAt: nextCheckAt.toISOString() } : {}),
    };
  }

  /** When the last check ran, whatever it found. */
  lastCheckAt(): Date | undefined {
    const at = this.deps.store.state().lastCheckAt;
    return at ? new Date(at) : undefined;
  }

  /** Asks the registries now; a check already under way is joined, not doubled. */
  check(): Promise<UpdatesReport> {
    this.running ??= this.checkNow().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async checkNow(): Promise<UpdatesReport> {
    const images = await this.deps.images();
    const at = this.deps.now().toISOString();
    const before = this.deps.store.state();
    const byImage = new Map<string, Promise<StoredAnswer>>();
    for (const { service, image } of images) {
      if (!byImage.has(image))
        byImage.set(image, ask(this.deps, image, before.answers[service], at));
    }
    const answers: UpdateState['answers'] = {};
    for (const { service, image } of images) {
      const answer = await byImage.get(image);
      if (!answer) continue;
      // A failure keeps this service's own last answer (services sharing an image may differ).
      answers[service] =
        answer.error && before.answers[service]?.image === image
          ? { ...before.answers[service], present: answer.present, error: answer.error }
          : answer;
    }
    // Re-read: settings or another check may have changed the state meanwhile.
    const state: UpdateState = { ...this.deps.store.state(), lastCheckAt: at, answers };
    this.notify(state);
    this.deps.store.saveState(state);
    return this.report();
  }

  /**
   * Each newly offered version once: the new digest, a checkout's newest commit, and the newest
   * newer tag (not every step).
   */
  private notify(state: UpdateState): void {
    const { publish } = this.deps;
    if (!publish) return;
    const settings = this.deps.store.settings();
    for (const [service, answer] of Object.entries(state.answers)) {
      const { newDigest, newerVersions, newCommit, pinned } = offered(answer, settings, service);
      if (pinned) continue;
      const seen = state.notified[service] ?? [];
      const fresh = [
        ...(newDigest ? [{ version: newDigest, kind: 'digest' as const }] : []),
        ...(newCommit ? [{ version: newCommit, kind: 'commit' as const }] : []),
        ...newerVersions.slice(-1).map((v) => ({ version: v.tag, kind: 'version' as const })),
      ].filter((v) => !seen.includes(v.version));
      for (const { version, kind } of fresh) {
        publish({ type: 'update.became-available', service, image: answer.image, version, kind });
      }
      if (fresh.length > 0) state.notified[service] = [...seen, ...fresh.map((v) => v.version)];
    }
  }

  setSettings(settings: UpdateSettings): void {
    this.deps.store.saveSettings(settings);
  }

  pin(service: string, pinned: boolean): void {
    const settings = this.deps.store.settings();
    const { [service]: _, ...others } = settings.pinned;
    this.deps.store.saveSettings({
      ...settings,
      pinned: pinned ? { ...others, [service]: true } : others,
    });
  }

  /** Skips `version` of `service` (a tag, or the digest of a same-tag update); none: skips nothing. */
  skip(service: string, version: string | undefined): void {
    const settings = this.deps.store.settings();
    const known = this.deps.store.state().answers[service];
    if (version !== undefined && !known) {
      throw new AppError('not_found', `No service "${service}" was checked for updates.`, {
        service,
      });
    }
    const { [service]: _, ...others } = settings.skipped;
    this.deps.store.saveSettings({
      ...settings,
      skipped: version === undefined ? others : { ...others, [service]: version },
    });
  }
}
