/**
 * A Docker engine that a test can start and stop without touching the shared rig engine: a unix
 * socket the test owns, piping every connection to the rig's socket. Used to play "the user just
 * installed (or stopped) Docker".
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { rigEnv } from './rig.js';

/** The rig's socket path, from DOCKER_HOST (unix:// only: the proxy pipes to a file socket). */
export function rigSocket(): string {
  const { dockerHost } = rigEnv();
  if (!dockerHost.startsWith('unix://'))
    throw new Error(`This test needs the rig on a unix socket; DOCKER_HOST is ${dockerHost}`);
  return dockerHost.slice('unix://'.length);
}

export interface EngineProxy {
  start(): Promise<void>;
  /** Like an engine stopping: the socket file goes away and open connections are cut. */
  stop(): Promise<void>;
}

export function engineProxy(path: string, target: string = rigSocket()): EngineProxy {
  let server: Server | undefined;
  const open = new Set<Socket>();
  return {
    async start() {
      const listening = createServer((client) => {
        const upstream = createConnection(target);
        for (const s of [client, upstream]) {
          open.add(s);
          s.on('close', () => open.delete(s));
          s.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(path, resolve);
      });
      server = listening;
    },
    async stop() {
      const current = server;
      server = undefined;
      if (!current) return;
      const closed = new Promise<void>((resolve) => current.close(() => resolve()));
      for (const s of open) s.destroy();
      await closed;
    },
  };
}
