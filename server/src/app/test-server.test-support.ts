/**
 * The real server (createServer) in a temporary home, as the tests of app/ start it: no engine (a
 * socket that does not exist), every log line kept, the home removed when the test is done.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiClient, type ApiClient } from '../contract/client.js';
import { createServer, type AppServer, type ServerOptions } from '../index.js';
import { createLogger } from '../infra/log/logger.js';

const TOKEN = 'e'.repeat(64);

export type TestServerOptions = Omit<ServerOptions, 'home' | 'token' | 'env' | 'logger'>;

export interface TestServer {
  readonly home: string;
  readonly token: string;
  /** The server running now (a new one after `restart`). */
  server: AppServer;
  url: string;
  /** What every server of this home logged, in order. */
  readonly lines: string[];
  /** A client of the running server, signed in with the token. */
  api(): ApiClient;
  /** Stops the server and starts another on the same home, with these options (not the first's). */
  restart(options?: TestServerOptions): Promise<void>;
  /** Stops the server and removes the home. */
  close(): Promise<void>;
}

/** Starts a server in a new home named after `name` (`mna-<name>-…`). */
export async function startTestServer(
  name: string,
  options: TestServerOptions = {},
): Promise<TestServer> {
  const home = mkdtempSync(join(tmpdir(), `mna-${name}-`));
  const lines: string[] = [];
  const launch = async (extra: TestServerOptions) => {
    const server = createServer({
      home,
      token: TOKEN,
      env: { DOCKER_HOST: 'unix:///nonexistent.sock' },
      logger: createLogger({ write: (line) => lines.push(line) }),
      ...extra,
    });
    const { url } = await server.start();
    return { server, url };
  };
  const t: TestServer = {
    home,
    token: TOKEN,
    lines,
    ...(await launch(options)),
    api: () => createApiClient({ baseUrl: t.url, token: TOKEN }),
    restart: async (extra = {}) => {
      await t.server.stop();
      Object.assign(t, await launch(extra));
    },
    close: async () => {
      await t.server.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
  return t;
}
