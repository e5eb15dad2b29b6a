/** A real server beyond loopback (0.0.0.0, asked on 127.0.0.1) for the TLS and pairing tests. */
import { createServer, type AppServer, type ServerOptions } from '../index.js';
import { createLogger } from '../infra/log/logger.js';

export const LAN_ADMIN_PASSWORD = 'an admin password 42';

/** Creates it in `home` with an admin password set, starts it, and registers its stop. */
export async function startLanServer(
  home: string,
  onStop: (stop: () => Promise<void>) => void,
  options: Partial<ServerOptions> = {},
): Promise<{ server: AppServer; url: string; token: string }> {
  const server = createServer({
    home,
    host: '0.0.0.0',
    env: { DOCKER_HOST: 'unix:///nonexistent.sock' },
    monitorHealth: false,
    announce: false,
    scrypt: { ln: 10, r: 8, p: 1 },
    logger: createLogger({ write: () => undefined }),
    ...options,
  });
  onStop(() => server.stop());
  await server.setAdminPassword(LAN_ADMIN_PASSWORD);
  return { server, ...(await server.start()) };
}
