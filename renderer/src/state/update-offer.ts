import {
  UpdateApplyInputSchema,
  type UpdateApplyInput,
  type ServiceUpdate,
  type UpdateRecord,
  type UpdatesReport,
  type VersionStep,
} from '@contract';

/** The services an update can be applied to (the contract's choice: backend with migrate, frontend). */
export const UPDATABLE: readonly string[] = UpdateApplyInputSchema.shape.service.unwrap().options;

export const isUpdatable = (service: string): service is UpdateApplyInput['service'] =>
  UPDATABLE.includes(service);

/**
 * What the card offers for one image: its newest newer tag, else the same tag's new digest, else
 * the newest commit of the checkout it was built from. `skip` is what skipping it sends; `to` what
 * an update to it asks for (none for a commit: that is a rebuild, under Settings > Images).
 */
export interface Offer {
  kind: 'version' | 'digest' | 'commit';
  /** In the card's words: `v3`, `sha256:abcdef123456`, `abc1234`. */
  version: string;
  step?: VersionStep;
  skip: string;
  to?: string;
}

/**
 * One line of the card: the services that run the same image (backend and migrate), shown once.
 * Pin and skip apply to all of them, as an update does (the migrations come from the backend's image).
 */
export interface UpdateRow {
  /** The service named first: the one an update is asked for, when any is. */
  service: string;
  services: string[];
  update: ServiceUpdate;
  /** Set when an update can be applied to this row (`service` is one the API updates). */
  updatable: boolean;
}

/** `sha256:` and the first 12 hex digits: enough to tell two digests apart at a glance. */
export const shortDigest = (digest: string): string => digest.slice(0, 'sha256:'.length + 12);

/** The version an image reference names: its tag, else its digest shortened. */
export function versionOf(image: string): string {
  const [named = '', digest] = image.split('@');
  const slash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  if (colon > slash) return named.slice(colon + 1);
  return digest ? shortDigest(digest) : 'latest';
}

/** The version a service runs, in the words the card uses. */
export function currentVersion(update: ServiceUpdate): string {
  return update.tag ?? versionOf(update.image);
}

/** A tag as it is, a digest or a commit shortened to what tells it apart at a glance. */
export function shortVersion(version: string): string {
  if (version.startsWith('sha256:')) return shortDigest(version);
  return /^[0-9a-f]{40}$/.test(version) ? version.slice(0, 7) : version;
}

/**
 * The newest thing offered (nothing while pinned). A new digest is applied by naming it beside the
 * tag (`repo:v1@sha256:…`): the engine pulls exactly that image, and the tag stays for later checks.
 */
export function newestOffer(update: ServiceUpdate): Offer | undefined {
  if (update.pinned || !update.updateAvailable) return undefined;
  const newest = update.newerVersions.at(-1);
  if (newest)
    return {
      kind: 'version',
      version: newest.tag,
      step: newest.step,
      skip: newest.tag,
      to: newest.tag,
    };
  if (update.newDigest) {
    const named = update.image.split('@')[0] ?? update.image;
    return {
      kind: 'digest',
      version: shortDigest(update.newDigest),
      skip: update.newDigest,
      to: `${named}@${update.newDigest}`,
    };
  }
  const commit = update.checkout?.newest;
  if (commit && update.checkout && update.checkout.behind > 0 && commit !== update.skipped)
    return { kind: 'commit', version: shortVersion(commit), skip: commit };
  return undefined;
}

/** The card's rows: services sharing an image once, the updatable one named first. */
export function updateRows(report: UpdatesReport): UpdateRow[] {
  const byImage = new Map<string, ServiceUpdate[]>();
  for (const update of report.services) {
    byImage.set(update.image, [...(byImage.get(update.image) ?? []), update]);
  }
  const rows = [...byImage.values()].map((group): UpdateRow => {
    const first =
      group.find((u) => isUpdatable(u.service)) ??
      group.find((u) => u.service !== 'migrate') ??
      group[0];
    if (!first) throw new Error('an image without a service');
    return {
      service: first.service,
      services: [first.service, ...group.map((u) => u.service).filter((s) => s !== first.service)],
      update: first,
      updatable: isUpdatable(first.service),
    };
  });
  return rows.sort((a, b) => a.service.localeCompare(b.service));
}

/** "just now", "5 min ago", "3 h ago", "2 d ago": the age of an answer. */
export function ago(iso: string, now: number): string {
  const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 48 * 3600) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** A row's state as a badge: what a user scans the card for. */
export function rowBadge(update: ServiceUpdate): {
  label: string;
  tone: 'ok' | 'warn' | 'fail' | 'unknown';
} {
  if (update.pinned) return { label: 'pinned', tone: 'unknown' };
  if (update.updateAvailable) return { label: 'update available', tone: 'warn' };
  if (update.localBuild) return { label: 'built here', tone: 'unknown' };
  if (update.error && !update.checkedAt) return { label: 'not checked', tone: 'unknown' };
  if (!update.checkedAt) return { label: 'not checked yet', tone: 'unknown' };
  return { label: 'up to date', tone: 'ok' };
}

/** What is available, in words: every newer tag with its step, a new digest of the same tag, newer commits. */
export function availableWords(update: ServiceUpdate): string {
  const { checkout } = update;
  if (checkout) {
    const built = `Built here from ${checkout.branch} at ${shortVersion(checkout.commit)}`;
    if (checkout.behind === 0) return `${built}; no newer commit.`;
    const newest = checkout.newest
      ? ` (newest ${shortVersion(checkout.newest)}${checkout.subject ? `: ${checkout.subject}` : ''})`
      : '';
    return `${built}; ${checkout.behind} newer commit${checkout.behind === 1 ? '' : 's'} on it${newest}. Rebuild it under Settings > Images.`;
  }
  if (update.localBuild) return 'Built or loaded on this machine: no registry is asked about it.';
  const parts = update.newerVersions.map((v) => `${v.tag} (${v.step})`);
  if (update.newDigest)
    parts.unshift(`a new image on ${currentVersion(update)} (${shortDigest(update.newDigest)})`);
  if (parts.length > 0) return parts.join(', ');
  return update.checkedAt ? 'Nothing newer.' : 'Not known yet: check now.';
}

/**
 * The registry did not answer: say so, with when, and how old what is shown is. Undefined when
 * the last check got its answer.
 */
export function offlineWords(update: ServiceUpdate, now: number): string | undefined {
  if (!update.error) return undefined;
  const kept = update.checkedAt
    ? `What is shown is its answer from ${ago(update.checkedAt, now)}.`
    : 'It has not answered yet.';
  const message = update.error.message.replace(/\.$/, '');
  return `Offline, or the registry did not answer (${ago(update.error.at, now)}): ${message}. ${kept}`;
}

/** `backend and migrate: v1 → v2`: what an update record changed. */
export function changeWords(record: Pick<UpdateRecord, 'from' | 'to'>): string {
  const byChange = new Map<string, string[]>();
  // The service updates are asked for first (backend, then migrate, which runs its image).
  const services = Object.keys(record.to).sort(
    (a, b) => Number(isUpdatable(b)) - Number(isUpdatable(a)) || a.localeCompare(b),
  );
  for (const service of services) {
    const change = `${versionOf(record.from[service] ?? '')} → ${versionOf(record.to[service] ?? '')}`;
    byChange.set(change, [...(byChange.get(change) ?? []), service]);
  }
  return [...byChange.entries()]
    .map(([change, services]) => `${services.join(' and ')}: ${change}`)
    .join('; ');
}

/** The service a record updated (the one updates are asked for) and its versions before and after. */
export function recordVersions(record: Pick<UpdateRecord, 'from' | 'to'>): {
  service: string;
  from: string;
  to: string;
} {
  const services = Object.keys(record.to);
  const service = services.find(isUpdatable) ?? services[0] ?? '';
  return {
    service,
    from: versionOf(record.from[service] ?? ''),
    to: versionOf(record.to[service] ?? ''),
  };
}
