/**
 * A stand-in for GitHub's latest-release endpoint on 127.0.0.1, for tests of the app's release
 * check: it answers what the test sets, records the requests, and can be closed to play offline.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const RELEASE_PATH = '/repos/medianest/appliance/releases/latest';

/** A release as GitHub's API describes it (the fields the client reads, and a few it ignores). */
export function githubRelease(tag: string, assets: string[] = []): Record<string, unknown> {
  return {
    id: 1,
    tag_name: tag,
    name: tag,
    html_url: `https://github.com/medianest/appliance/releases/tag/${tag}`,
    draft: false,
    prerelease: false,
    published_at: '2027-01-02T10:00:00Z',
    assets: assets.map((name, i) => ({
      id: i,
      name,
      browser_download_url: `https://github.com/medianest/appliance/releases/download/${tag}/${encodeURIComponent(name)}`,
    })),
  };
}

export interface FakeReleases {
  /** The latest-release URL. */
  url: string;
  /** The next answers: status, JSON body (or raw text) and headers. */
  answer: { status: number; body: unknown; headers?: Record<string, string> };
  /** The headers of each request received. */
  requests: IncomingHttpHeaders[];
  /** Stops answering: the port refuses connections afterwards. */
  close(): Promise<void>;
}

export async function fakeReleases(): Promise<FakeReleases> {
  const fake: Omit<FakeReleases, 'url' | 'close'> = {
    answer: { status: 200, body: githubRelease('v0.2.0') },
    requests: [],
  };
  const server: Server = createServer((req, res) => {
    fake.requests.push(req.headers);
    if (req.url !== RELEASE_PATH) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
      return;
    }
    const { status, body, headers } = fake.answer;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}${RELEASE_PATH}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  });
}
