/**
 * Which tags of a repository are newer versions of the running one. A tag is a version when it is
 * `[v]MAJOR[.MINOR[.PATCH]][-SUFFIX]`; a suffix is a pre-release when it reads like one (`rc.1`,
 * `beta2`), else a variant (`alpine`, `broken`). Only tags of the same shape are offered: the same
 * `v` or none, as many numbers, the same variant, and no pre-release unless the running tag is one.
 * So `16-alpine` is offered `17-alpine` (not `17` nor `16.1-alpine`), `v1` is offered `v2` but never
 * `v2-broken` or `v2-badmigration`, and `latest` is offered no version (only a new digest).
 */
import type { NewerVersion, VersionStep } from '../../contract/updates-routes.js';

export interface TagVersion {
  prefix: '' | 'v';
  numbers: number[];
  /** A pre-release suffix (`rc.1`); undefined for a release. */
  pre: string | undefined;
  /** A variant suffix (`alpine`); '' for none. */
  variant: string;
}

const VERSION = /^(v?)(\d{1,9})(?:\.(\d{1,9}))?(?:\.(\d{1,9}))?(?:-([0-9A-Za-z][0-9A-Za-z.-]*))?$/;
const PRE_RELEASE = /^(?:alpha|beta|rc|pre|preview)(?:[.-]?\d+)*$/i;

export function parseVersionTag(tag: string): TagVersion | undefined {
  const match = VERSION.exec(tag);
  if (!match) return undefined;
  const [, prefix = '', ...rest] = match;
  const numbers = rest
    .slice(0, 3)
    .filter((n): n is string => n !== undefined)
    .map(Number);
  const suffix = rest[3];
  const pre = suffix !== undefined && PRE_RELEASE.test(suffix) ? suffix : undefined;
  return {
    prefix: prefix === 'v' ? 'v' : '',
    numbers,
    pre,
    variant: suffix !== undefined && pre === undefined ? suffix : '',
  };
}

function comparePre(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  // A release is newer than any pre-release of the same numbers.
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  const left = a.split(/[.-]/);
  const right = b.split(/[.-]/);
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const x = left[i];
    const y = right[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x) ? Number(x) : undefined;
    const ny = /^\d+$/.test(y) ? Number(y) : undefined;
    if (nx !== undefined && ny !== undefined) {
      if (nx !== ny) return nx - ny;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

/** Negative when `a` is older than `b`, positive when newer (shapes assumed equal). */
export function compareVersions(a: TagVersion, b: TagVersion): number {
  for (let i = 0; i < Math.max(a.numbers.length, b.numbers.length); i += 1) {
    const diff = (a.numbers[i] ?? 0) - (b.numbers[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return comparePre(a.pre, b.pre);
}

function sameShape(current: TagVersion, other: TagVersion): boolean {
  return (
    other.prefix === current.prefix &&
    other.numbers.length === current.numbers.length &&
    other.variant === current.variant &&
    (other.pre === undefined || current.pre !== undefined)
  );
}

function stepOf(current: TagVersion, newer: TagVersion): VersionStep {
  const at = current.numbers.findIndex((n, i) => newer.numbers[i] !== n);
  return at === 0 ? 'major' : at === 1 ? 'minor' : 'patch';
}

/** The tags newer than `current` and of its shape, oldest first; none when `current` is no version. */
export function newerVersionTags(current: string, tags: readonly string[]): NewerVersion[] {
  const running = parseVersionTag(current);
  if (!running) return [];
  return tags
    .flatMap((tag) => {
      const version = parseVersionTag(tag);
      return version && sameShape(running, version) && compareVersions(version, running) > 0
        ? [{ tag, version }]
        : [];
    })
    .sort((a, b) => compareVersions(a.version, b.version))
    .map(({ tag, version }) => ({ tag, step: stepOf(running, version) }));
}
