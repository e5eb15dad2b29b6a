/**
 * Image references as Docker reads them: `[registry[:port]/]path[:tag][@digest]`. The first part
 * names a registry only when it has a dot, a colon or is `localhost`; without one the image is on
 * Docker Hub, whose one-part names live under `library/` (`postgres` is `docker.io/library/postgres`).
 */
import { AppError } from '../app-error.js';

export interface ImageReference {
  /** The reference as configured. */
  readonly text: string;
  /** `docker.io` for Docker Hub, else the host as written (with its port). */
  readonly registry: string;
  /** The repository on that registry (`library/postgres`, `medianest/backend`). */
  readonly repository: string;
  /** `latest` when the reference names neither a tag nor a digest. */
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

export const DOCKER_HUB = 'docker.io';

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const PATH_PART = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

function invalid(text: string, why: string): never {
  throw new AppError('validation_failed', `"${text}" is not an image reference: ${why}`, {
    image: text,
  });
}

export function parseImageReference(text: string): ImageReference {
  const [named = '', digest, ...rest] = text.split('@');
  if (rest.length > 0) invalid(text, 'more than one "@"');
  if (digest !== undefined && !DIGEST.test(digest))
    invalid(text, 'the digest is not sha256:<64 hex>');
  const slash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const hasTag = colon > slash;
  const name = hasTag ? named.slice(0, colon) : named;
  const tag = hasTag ? named.slice(colon + 1) : undefined;
  if (tag !== undefined && !TAG.test(tag)) invalid(text, `"${tag}" is not a tag`);
  const parts = name.split('/');
  const first = parts[0] ?? '';
  const hasRegistry =
    parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registryPart = hasRegistry ? first : DOCKER_HUB;
  const registry = registryPart === 'index.docker.io' ? DOCKER_HUB : registryPart;
  const path = hasRegistry ? parts.slice(1) : parts;
  if (path.length === 0 || !path.every((p) => PATH_PART.test(p)))
    invalid(text, 'the repository path must be lowercase letters, digits and separators');
  const repository =
    registry === DOCKER_HUB && path.length === 1 ? `library/${path[0]}` : path.join('/');
  return {
    text,
    registry,
    repository,
    tag: tag ?? (digest === undefined ? 'latest' : undefined),
    digest,
  };
}

/** The reference of `tag` in the same repository, as the engine would be asked for it. */
export function withTag(reference: ImageReference, tag: string): string {
  return `${reference.registry}/${reference.repository}:${tag}`;
}

/** Where the registry's HTTP API answers: Docker Hub's API host is not its name. */
export function registryApiBase(registry: string): string {
  if (registry === DOCKER_HUB) return 'https://registry-1.docker.io';
  // The engine too speaks plain HTTP to a loopback registry without any insecure-registry setting.
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || /^127\./.test(host) || host === '::1';
  return `${loopback ? 'http' : 'https'}://${registry}`;
}

/**
 * Whether `repoDigest` ("repo@sha256:…", as the engine lists an image's RepoDigests) is a digest
 * of this reference's repository: `postgres@…` and `docker.io/library/postgres@…` both are.
 */
export function digestOfRepository(
  reference: ImageReference,
  repoDigests: readonly string[],
): string | undefined {
  for (const entry of repoDigests) {
    const at = entry.lastIndexOf('@');
    if (at < 0) continue;
    let named: ImageReference;
    try {
      named = parseImageReference(entry.slice(0, at));
    } catch {
      continue;
    }
    if (named.registry === reference.registry && named.repository === reference.repository)
      return entry.slice(at + 1);
  }
  return undefined;
}
