/**
 * A registry's HTTP API v2, read anonymously: the tag list and an image's configuration (for its
 * labels, the size a pull downloads). A registry that wants a token says so in a 401 (`WWW-Authenticate: Bearer realm=…,
 * service=…,scope=…`); the token is fetched from that realm without credentials, as `docker pull`
 * does for a public image, and the request is made once more with it. No credentials are ever
 * sent: a private repository answers "not listed", and only the engine (which has them) is asked
 * for its digest.
 */
import { arch } from 'node:os';
import { registryApiBase, type ImageReference } from '../../core/updates/image-reference.js';
import { reason } from './webhook-transport.js';

export interface RegistryClientOptions {
  /** Per request (default 15 s). */
  timeoutMs?: number;
  /** The engine's architecture (amd64, arm64): which image of a multi-platform index to read. */
  architecture?: string;
  fetch?: typeof fetch;
}

/** The parts of a Bearer challenge the token request needs. */
export interface BearerChallenge {
  realm: string;
  service?: string;
  scope?: string;
}

/** `Bearer realm="…",service="…",scope="…"` -> its parameters; undefined for any other scheme. */
export function parseBearerChallenge(header: string | null): BearerChallenge | undefined {
  const match = /^\s*Bearer\s+(.*)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const params: Record<string, string> = {};
  for (const part of match[1].matchAll(/([A-Za-z]+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g)) {
    const key = part[1]?.toLowerCase();
    if (key) params[key] = part[2] ?? part[3] ?? '';
  }
  const { realm, service, scope } = params;
  if (!realm) return undefined;
  return { realm, ...(service ? { service } : {}), ...(scope ? { scope } : {}) };
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** Pages of a tag list followed at most (Docker Hub's biggest repositories have tens of thousands). */
const MAX_PAGES = 20;
/** Largest JSON document read from a registry. */
const MAX_BYTES = 4 * 1024 * 1024;
const LABELS_KEPT = 24;
const LABEL_VALUE_MAX = 2000;

/** Labels worth showing beside an update: OCI's descriptive ones, and anything about releases. */
function interesting(name: string): boolean {
  return name.startsWith('org.opencontainers.image.') || /release|changelog|notes/i.test(name);
}

/** Node's names for the architectures an index's platforms use. */
const ARCHITECTURES: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm' };

/** This machine's architecture as an image index names it (`amd64` for Node's `x64`). */
export const machineArchitecture = (): string => ARCHITECTURES[arch()] ?? arch();

/** The parts of an image manifest or index this client reads. */
interface ImageManifest {
  manifests?: Array<{ digest?: string; platform?: { os?: string; architecture?: string } }>;
  config?: { digest?: string };
  layers?: Array<{ size?: unknown } | undefined>;
}

class RegistryRefusal extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

export class RegistryClient {
  /** Tokens by realm, service and scope, reused within this client's life. */
  private readonly tokens = new Map<string, string>();
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: RegistryClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.fetch = options.fetch ?? fetch;
  }

  /** Every tag of the repository; undefined when the registry will not list them anonymously. */
  async tags(reference: ImageReference): Promise<string[] | undefined> {
    const base = registryApiBase(reference.registry);
    const tags: string[] = [];
    let path: string | undefined = `/v2/${reference.repository}/tags/list?n=1000`;
    for (let page = 0; path && page < MAX_PAGES; page += 1) {
      let response: Response;
      try {
        response = await this.get(reference, `${base}${path}`, 'application/json');
      } catch (error) {
        if (error instanceof RegistryRefusal) return undefined;
        throw error;
      }
      const body = (await this.json(response)) as { tags?: unknown };
      if (Array.isArray(body.tags))
        tags.push(...body.tags.filter((t): t is string => typeof t === 'string'));
      path = nextPage(response.headers.get('link'), base);
    }
    return tags;
  }

  /** The interesting labels in the configuration of the image `tag` names. */
  async labels(
    reference: ImageReference,
    tag: string,
  ): Promise<Record<string, string> | undefined> {
    const manifest = await this.platformManifest(reference, tag);
    const config = manifest?.config?.digest;
    if (!config || !/^sha256:[0-9a-f]{64}$/.test(config)) return undefined;
    const image = (await this.json(
      await this.get(reference, `${this.repositoryBase(reference)}/blobs/${config}`, '*/*'),
    )) as {
      config?: { Labels?: Record<string, unknown> | null };
    };
    const labels = Object.entries(image.config?.Labels ?? {})
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
      .filter(([name]) => interesting(name))
      .slice(0, LABELS_KEPT)
      .map(([name, value]): [string, string] => [name, value.slice(0, LABEL_VALUE_MAX)]);
    return labels.length > 0 ? Object.fromEntries(labels) : undefined;
  }

  /**
   * The bytes a pull of `tag` downloads: its layers' compressed sizes as the manifest states them
   * (undefined when the manifest gives none). What the engine then unpacks is larger.
   */
  async downloadSize(reference: ImageReference, tag: string): Promise<number | undefined> {
    const layers = (await this.platformManifest(reference, tag))?.layers;
    if (!Array.isArray(layers) || layers.length === 0) return undefined;
    let total = 0;
    for (const layer of layers) {
      const size = layer?.size;
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return undefined;
      total += size;
    }
    return total;
  }

  /** The manifest of `tag` for this machine's platform (chosen from an index when it is one). */
  private async platformManifest(
    reference: ImageReference,
    tag: string,
  ): Promise<ImageManifest | undefined> {
    const base = this.repositoryBase(reference);
    const manifest = (await this.json(
      await this.get(reference, `${base}/manifests/${tag}`, MANIFEST_TYPES),
    )) as ImageManifest;
    if (!Array.isArray(manifest.manifests)) return manifest;
    const wanted = this.options.architecture ?? 'amd64';
    const chosen =
      manifest.manifests.find(
        (m) => m.platform?.os === 'linux' && m.platform.architecture === wanted,
      ) ?? manifest.manifests[0];
    if (!chosen?.digest) return undefined;
    return (await this.json(
      await this.get(reference, `${base}/manifests/${chosen.digest}`, MANIFEST_TYPES),
    )) as ImageManifest;
  }

  private repositoryBase(reference: ImageReference): string {
    return `${registryApiBase(reference.registry)}/v2/${reference.repository}`;
  }

  /** One GET; on a Bearer challenge, a token from its realm and the same GET once more. */
  private async get(reference: ImageReference, url: string, accept: string): Promise<Response> {
    const scope = `repository:${reference.repository}:pull`;
    const first = await this.send(url, accept, this.tokens.get(this.tokenKey(url, scope)));
    if (first.status !== 401) return this.ok(first, reference);
    const challenge = parseBearerChallenge(first.headers.get('www-authenticate'));
    await first.body?.cancel().catch(() => undefined);
    if (!challenge) throw new RegistryRefusal(401);
    const token = await this.token(url, challenge, scope);
    return this.ok(await this.send(url, accept, token), reference);
  }

  private tokenKey(url: string, scope: string): string {
    return `${new URL(url).host} ${scope}`;
  }

  private async token(url: string, challenge: BearerChallenge, scope: string): Promise<string> {
    const realm = new URL(challenge.realm);
    // A token fetched over plain HTTP could be read on the way: only from a plain-HTTP registry.
    if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && url.startsWith('http:')))
      throw new Error(`the registry's token service ${realm.origin} is not HTTPS`);
    if (challenge.service) realm.searchParams.set('service', challenge.service);
    realm.searchParams.set('scope', challenge.scope ?? scope);
    const response = await this.send(realm.toString(), 'application/json', undefined);
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel().catch(() => undefined);
      throw new RegistryRefusal(response.status);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error(`the registry's token service answered HTTP ${response.status}`);
    }
    const body = (await this.json(response)) as { token?: unknown; access_token?: unknown };
    const token = typeof body.token === 'string' ? body.token : body.access_token;
    if (typeof token !== 'string' || token === '')
      throw new Error("the registry's token service gave no token");
    this.tokens.set(this.tokenKey(url, scope), token);
    return token;
  }

  private async send(url: string, accept: string, token: string | undefined): Promise<Response> {
    try {
      return await this.fetch(url, {
        headers: { accept, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new Error(
        `registry ${new URL(url).host} not reachable: ${reason(error, this.timeoutMs)}`,
      );
    }
  }

  private async ok(response: Response, reference: ImageReference): Promise<Response> {
    if (response.ok) return response;
    await response.body?.cancel().catch(() => undefined);
    if ([401, 403, 404].includes(response.status)) throw new RegistryRefusal(response.status);
    throw new Error(`registry ${reference.registry} answered HTTP ${response.status}`);
  }

  private async json(response: Response): Promise<unknown> {
    if (Number(response.headers.get('content-length') ?? 0) > MAX_BYTES) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error('the registry answered with too large a document');
    }
    const text = await response.text();
    if (text.length > MAX_BYTES) throw new Error('the registry answered with too large a document');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error('the registry answered with something other than JSON');
    }
  }
}

/** The next page of a tag list from its `Link: </v2/…?last=…&n=…>; rel="next"`, on the same registry only. */
function nextPage(link: string | null, base: string): string | undefined {
  const target = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(link ?? '')?.[1];
  if (!target) return undefined;
  const url = new URL(target, base);
  return url.origin === new URL(base).origin ? `${url.pathname}${url.search}` : undefined;
}
