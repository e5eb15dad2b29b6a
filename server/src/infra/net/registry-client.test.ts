/**
 * The registry HTTP API client against a fake registry and token realm on loopback: the anonymous
 * Bearer flow Docker Hub uses, tag list pages, a multi-platform image's labels, a refusal and a
 * registry that does not answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageReference } from '../../core/updates/image-reference.js';
import { parseBearerChallenge, RegistryClient } from './registry-client.js';

const TOKEN = 'anonymous-token-1';
const CONFIG = `sha256:${'c'.repeat(64)}`;
const AMD64 = `sha256:${'a'.repeat(64)}`;
let server: Server;
let host = '';
const seen: Array<{ path: string; auth: string | undefined }> = [];

function answer(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', `http://${host}`);
  seen.push({ path: `${url.pathname}${url.search}`, auth: req.headers.authorization });
  if (url.pathname === '/token') {
    // Anonymous pull tokens only, for the scope and service the challenge named.
    if (url.searchParams.get('service') !== 'fake-registry') return answer(res, 400, {});
    return answer(res, 200, { token: TOKEN, expires_in: 300 });
  }
  if (url.pathname === '/v2/private/app/tags/list') return answer(res, 404, {});
  if (req.headers.authorization !== `Bearer ${TOKEN}`) {
    const scope = /^\/v2\/(.+)\/(?:tags|manifests|blobs)\//.exec(url.pathname)?.[1] ?? '';
    return answer(
      res,
      401,
      { errors: [{ code: 'UNAUTHORIZED' }] },
      {
        'www-authenticate': `Bearer realm="http://${host}/token",service="fake-registry",scope="repository:${scope}:pull"`,
      },
    );
  }
  if (url.pathname === '/v2/library/app/tags/list') {
    if (url.searchParams.get('last') === 'v2')
      return answer(res, 200, { name: 'library/app', tags: ['v3', 'v3-broken'] });
    return answer(
      res,
      200,
      { name: 'library/app', tags: ['v1', 'v2'] },
      {
        link: `</v2/library/app/tags/list?last=v2&n=1000>; rel="next"`,
      },
    );
  }
  if (url.pathname === '/v2/library/app/manifests/v3')
    return answer(res, 200, {
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { digest: `sha256:${'b'.repeat(64)}`, platform: { os: 'linux', architecture: 'arm64' } },
        { digest: AMD64, platform: { os: 'linux', architecture: 'amd64' } },
      ],
    });
  if (url.pathname === `/v2/library/app/manifests/${AMD64}`)
    return answer(res, 200, {
      config: { digest: CONFIG },
      layers: [{ size: 30_000_000 }, { size: 1_500_000 }, { size: 512 }],
    });
  if (url.pathname === '/v2/library/app/manifests/v4')
    return answer(res, 200, { config: { digest: CONFIG }, layers: [{ size: -1 }] });
  if (url.pathname === `/v2/library/app/blobs/${CONFIG}`)
    return answer(res, 200, {
      config: {
        Labels: {
          'org.opencontainers.image.version': '3.0.0',
          'org.medianest.release-notes': 'Faster scans.',
          maintainer: 'not shown',
        },
      },
    });
  answer(res, 404, {});
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the registry HTTP API client', () => {
  it('reads a Bearer challenge', () => {
    expect(
      parseBearerChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/postgres:pull"',
      ),
    ).toEqual({
      realm: 'https://auth.docker.io/token',
      service: 'registry.docker.io',
      scope: 'repository:library/postgres:pull',
    });
    expect(parseBearerChallenge('Basic realm="x"')).toBeUndefined();
  });

  it('gets an anonymous token from the realm, then every page of the tag list with it', async () => {
    seen.length = 0;
    const client = new RegistryClient();
    const tags = await client.tags(parseImageReference(`${host}/library/app:v1`));
    expect(tags).toEqual(['v1', 'v2', 'v3', 'v3-broken']);
    const token = seen.find((s) => s.path.startsWith('/token'));
    expect(token?.path).toBe(
      '/token?service=fake-registry&scope=repository%3Alibrary%2Fapp%3Apull',
    );
    // No credentials to the token service; the token on every retried request.
    expect(token?.auth).toBeUndefined();
    expect(seen.filter((s) => s.auth === `Bearer ${TOKEN}`).map((s) => s.path)).toEqual([
      '/v2/library/app/tags/list?n=1000',
      '/v2/library/app/tags/list?last=v2&n=1000',
    ]);
  });

  it("reads the labels of a multi-platform image's own platform", async () => {
    const client = new RegistryClient({ architecture: 'amd64' });
    expect(await client.labels(parseImageReference(`${host}/library/app:v1`), 'v3')).toEqual({
      'org.opencontainers.image.version': '3.0.0',
      'org.medianest.release-notes': 'Faster scans.',
    });
  });

  it("sums the compressed layers of the platform's manifest a pull downloads", async () => {
    const client = new RegistryClient({ architecture: 'amd64' });
    const app = parseImageReference(`${host}/library/app:v1`);
    expect(await client.downloadSize(app, 'v3')).toBe(31_500_512);
    // A size the manifest does not state sensibly is not guessed.
    expect(await client.downloadSize(app, 'v4')).toBeUndefined();
  });

  it('says "not listed" for a refused repository, and why for a registry that does not answer', async () => {
    const client = new RegistryClient({ timeoutMs: 2000 });
    expect(await client.tags(parseImageReference(`${host}/private/app:v1`))).toBeUndefined();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(
      client.tags(parseImageReference(`127.0.0.1:${port}/library/app:v1`)),
    ).rejects.toThrow(`registry 127.0.0.1:${port} not reachable: connection refused`);
  });
});
