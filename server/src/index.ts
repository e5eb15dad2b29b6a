import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runDoctor } from './core/doctor/doctor-service.js';
import type { DockerGatewayFactory } from './core/docker-gateway.js';
import type { HostProbe } from './core/doctor/host-probe.js';
import { createHttpApp, findRendererDir } from './http/app.js';
import type { RouteHandlers } from './http/routes.js';
import { createDockerGateway } from './infra/docker/dockerode-gateway.js';
import { ensureHome, type HomePaths } from './infra/fs/home.js';
import { createLogger, type Logger } from './infra/log/logger.js';
import { NodeHostProbe } from './infra/system/node-host-probe.js';
import { APP_VERSION } from './version.js';

export interface ServerOptions {
  /** The appliance home (DESIGN.md); created when missing. */
  home: string;
  /** Default 127.0.0.1: the API drives the Docker socket, so it is root-equivalent. */
  host?: string;
  /** Default 0: a free port chosen by the OS. */
  port?: number;
  /** The per-launch token; a fresh 256-bit one when omitted. */
  token?: string;
  /** Extra host names the server answers to (beyond loopback names). */
  allowedHosts?: string[];
  rendererDir?: string;
  env?: Record<string, string | undefined>;
  connectDocker?: DockerGatewayFactory;
  hostProbe?: HostProbe;
  logger?: Logger;
}

export interface ServerEvents {
  ready: [{ url: string }];
  stopped: [];
}

export interface AppServer {
  start(): Promise<{ url: string; token: string }>;
  stop(): Promise<void>;
  readonly events: EventEmitter<ServerEvents>;
  readonly paths: HomePaths;
}

const RENDERER_CANDIDATES = ['../../dist/renderer', '../../renderer'].map((rel) =>
  fileURLToPath(new URL(rel, import.meta.url)),
);

/** The one server behind the Electron window and `medianest-appliance serve`. */
export function createServer(options: ServerOptions): AppServer {
  const paths = ensureHome(options.home);
  const token = options.token ?? randomBytes(32).toString('hex');
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger({ secrets: () => [token] });
  const probe = options.hostProbe ?? new NodeHostProbe();
  const connect = options.connectDocker ?? createDockerGateway;
  const events = new EventEmitter<ServerEvents>();
  const startedAt = Date.now();
  let server: Server | undefined;
  let url = '';

  const handlers: RouteHandlers = {
    health: async () => ({
      status: 'ok',
      version: APP_VERSION,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    }),
    doctor: async (query) =>
      runDoctor(
        {
          discovery: {
            env,
            platform: process.platform,
            homeDir: homedir(),
            uid: process.getuid?.() ?? 0,
            probe,
          },
          probe,
          connect,
          now: () => new Date(),
        },
        {
          dataDir: paths.dataDir,
          httpPort: query.httpPort ?? 80,
          httpsPort: query.httpsPort ?? 443,
        },
      ),
  };

  const app = createHttpApp({
    token,
    handlers,
    rendererDir: options.rendererDir ?? findRendererDir(RENDERER_CANDIDATES),
    allowedHosts: options.allowedHosts ?? [],
    ownOrigins: () => (url ? [url, url.replace('127.0.0.1', 'localhost')] : []),
    logError: (error) => logger.error(error.message, { code: error.code, cause: error.cause }),
  });

  return {
    events,
    paths,
    async start() {
      if (server) return { url, token };
      const host = options.host ?? '127.0.0.1';
      const listening = app.listen(options.port ?? 0, host);
      await new Promise<void>((resolve, reject) => {
        listening.once('listening', resolve);
        listening.once('error', reject);
      });
      server = listening;
      const address = listening.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`;
      logger.info('server ready', { url });
      events.emit('ready', { url });
      return { url, token };
    },
    async stop() {
      const current = server;
      if (!current) return;
      server = undefined;
      current.closeIdleConnections();
      await new Promise<void>((resolve) => current.close(() => resolve()));
      events.emit('stopped');
    },
  };
}
