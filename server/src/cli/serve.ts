import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from '../index.js';
import { portOption, type ParsedCommand } from './args.js';
import { DEFAULT_SERVE_PORT, EXIT, resolveHome, type CliIo } from './io.js';

/** `serve`: the headless server and web UI until SIGTERM. */
export async function serve(cmd: ParsedCommand, io: CliIo): Promise<number> {
  const home = resolveHome(cmd, io);
  const port = portOption(cmd.values.port, 'port', { allowAny: true }) ?? DEFAULT_SERVE_PORT;
  const host = typeof cmd.values.host === 'string' ? cmd.values.host : '127.0.0.1';
  const server = createServer({ home, host, port, env: io.env });
  const { url, token } = await server.start();
  const serveFile = server.paths.serveFile;
  writeFileSync(serveFile, JSON.stringify({ url, token, pid: process.pid }, null, 2), {
    mode: 0o600,
  });
  chmodSync(serveFile, 0o600);
  io.stdout(cmd.values.json ? JSON.stringify({ ready: true, url }) : `ready ${url}`);
  await io.untilShutdown();
  await server.stop();
  rmSync(serveFile, { force: true });
  return EXIT.ok;
}
