import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServedTls, ServerOptions } from '../app/server-types.js';
import { AppError } from '../core/app-error.js';
import { isLoopbackHost } from '../http/security.js';
import { createServer, type AppServer } from '../index.js';
import { ensureHome } from '../infra/fs/home.js';
import { portOption, VERBS, type ParsedCommand } from './args.js';
import { DEFAULT_SERVE_PORT, EXIT, resolveHome, type CliIo } from './io.js';
import { readSecretLine } from './read-secret.js';

/** Sets the admin password at first run (or changes it); see docs/headless.md. */
export const ADMIN_PASSWORD_ENV = 'MEDIANEST_ADMIN_PASSWORD';
/** Extra host names (comma-separated) a LAN browser may use, e.g. `nas.example.com`. */
export const ALLOWED_HOSTS_ENV = 'MEDIANEST_ALLOWED_HOSTS';

interface ServeFile {
  url?: string;
  token?: string;
  pid: number;
  loginUrl?: string;
  /** The HTTPS certificate's SHA-256 fingerprint, beyond loopback. */
  fingerprint?: string;
}

function readServeFile(path: string): ServeFile | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<ServeFile>;
    return typeof parsed.pid === 'number' ? (parsed as ServeFile) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a live `serve` (not a process that reused the pid of a crashed one). */
function serveIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('serve');
  } catch {
    return true; // No /proc (macOS, Windows): trust the signal check.
  }
}

/**
 * Claims `<home>/serve.json` for this process (exclusive create), replacing a stale one left by a
 * crash; returns the live owner's record when another `serve` holds it.
 */
function claimServeFile(path: string, io: CliIo): ServeFile | undefined {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(path, JSON.stringify({ pid: process.pid }), { flag: 'wx', mode: 0o600 });
      return undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const existing = readServeFile(path);
    if (existing && serveIsAlive(existing.pid)) return existing;
    io.stderr(
      `medianest-appliance: replacing ${path}, left by a serve that is no longer running${existing ? ` (pid ${existing.pid})` : ''}`,
    );
    rmSync(path, { force: true });
  }
  throw new Error(`${path} keeps reappearing: is another serve starting right now?`);
}

function writeServeFile(path: string, content: ServeFile): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(content, null, 2) + '\n', { mode: 0o600 });
  renameSync(temp, path);
}

function releaseServeFile(path: string): void {
  if (readServeFile(path)?.pid === process.pid) rmSync(path, { force: true });
}

function lanRefusal(host: string): string {
  const viaFlag =
    'set-admin-password' in (VERBS.serve?.options ?? {})
      ? `\n  medianest-appliance serve --set-admin-password   (type it, or pipe it in on stdin)`
      : '';
  return [
    `--host ${host} lets other machines reach this server, and it drives Docker (root on this machine), so it needs an admin password first.`,
    `Set one (at least 12 characters), then start serve again:${viaFlag}`,
    `  ${ADMIN_PASSWORD_ENV}='...' medianest-appliance serve --host ${host}   (sets it on the first run)`,
  ].join('\n');
}

async function applyAdminPasswordEnv(server: AppServer, io: CliIo): Promise<void> {
  const password = io.env[ADMIN_PASSWORD_ENV];
  if (!password) return;
  const outcome = await server.setAdminPassword(password);
  if (outcome === 'set')
    io.stderr(`medianest-appliance: admin password set from ${ADMIN_PASSWORD_ENV}`);
  if (outcome === 'changed') {
    io.stderr(
      `medianest-appliance: admin password changed to the value of ${ADMIN_PASSWORD_ENV}; browsers signed in before must sign in again`,
    );
  }
}

/** Set by systemd for a service's processes; stdout then usually goes to the journal. */
const underSystemd = (env: CliIo['env']): boolean =>
  Boolean(env.INVOCATION_ID || env.JOURNAL_STREAM);

/**
 * `ready`, and the one-time login link only when stdout is a terminal: the link signs a browser in,
 * and anything else (a service journal, a log file, a pipe) may be kept and read by others, so then
 * it says where the link is instead: serve.json, which only this user can read. `--json` follows the
 * same rule and always names the file, so a script reads the link from there.
 */
function announceReady(
  io: CliIo,
  json: boolean,
  at: { url: string; loginUrl: string; serveFile: string; tls: ServedTls | undefined },
): void {
  const toTerminal = io.stdoutIsTerminal === true;
  if (json) {
    const link = toTerminal ? { loginUrl: at.loginUrl } : {};
    const tls = at.tls ? { fingerprint: at.tls.fingerprint } : {};
    io.stdout(
      JSON.stringify({ ready: true, url: at.url, serveFile: at.serveFile, ...tls, ...link }),
    );
    return;
  }
  io.stdout(`ready ${at.url}`);
  if (at.tls) io.stdout(`certificate SHA-256 ${at.tls.fingerprint}`);
  if (toTerminal) {
    io.stdout(`login ${at.loginUrl}`);
    return;
  }
  const why = underSystemd(io.env)
    ? 'running as a service, the journal would keep it'
    : 'output is not a terminal';
  io.stdout(`login link not printed (${why}): it is "loginUrl" in ${at.serveFile}`);
}

/** `serve --set-admin-password`: reads the new password from stdin, stores its hash, exits. */
async function setAdminPassword(
  home: string,
  io: CliIo,
  stdin: NodeJS.ReadStream,
): Promise<number> {
  const password = await readSecretLine(stdin, (text) => io.stderr(text), 'New admin password: ');
  const server = createServer({ home, env: io.env });
  try {
    const outcome = await server.setAdminPassword(password);
    io.stdout(outcome === 'unchanged' ? 'admin password unchanged' : 'admin password set');
    return EXIT.ok;
  } finally {
    await server.stop();
  }
}

const CERTIFICATE_SOURCE: Record<ServedTls['source'], string> = {
  made: 'made now, kept in',
  kept: 'made at an earlier start, kept in',
  renewed: 'renewed now (same key), kept in',
  user: 'yours, from --tls-cert',
};

/** The HTTPS options, or the words refusing them; with plain HTTP beyond loopback, warnings. */
function transportOptions(
  cmd: ParsedCommand,
  io: CliIo,
  host: string,
  home: string,
): Pick<ServerOptions, 'tls' | 'insecurePlainHttp'> {
  const certFile = typeof cmd.values['tls-cert'] === 'string' ? cmd.values['tls-cert'] : undefined;
  const keyFile = typeof cmd.values['tls-key'] === 'string' ? cmd.values['tls-key'] : undefined;
  const insecure = cmd.values['insecure-plain-http'] === true;
  if (isLoopbackHost(host)) {
    if (certFile || keyFile) {
      const field = certFile ? '--tls-cert' : '--tls-key';
      throw new AppError(
        'validation_failed',
        `${field}: serve speaks HTTPS only beyond loopback; give --host (e.g. --host 0.0.0.0) to use a certificate.`,
        { field },
      );
    }
    if (insecure)
      io.stderr('medianest-appliance: --insecure-plain-http changes nothing on loopback');
    return {};
  }
  if (insecure && (certFile || keyFile)) {
    throw new AppError(
      'validation_failed',
      '--insecure-plain-http: cannot go with --tls-cert or --tls-key; choose HTTPS or plain HTTP.',
      { field: '--insecure-plain-http' },
    );
  }
  if (insecure) {
    io.stderr(
      `medianest-appliance: WARNING: serving plain HTTP on ${host}: the admin password and the session cookie, which can do anything Docker can on this machine, cross the network unencrypted. Leave out --insecure-plain-http to serve HTTPS (a certificate is made in ${join(home, 'tls')}).`,
    );
    return { insecurePlainHttp: true };
  }
  return certFile || keyFile
    ? { tls: { ...(certFile ? { certFile } : {}), ...(keyFile ? { keyFile } : {}) } }
    : {};
}

/** `serve`: the headless server and web UI until SIGTERM. */
export async function serve(
  cmd: ParsedCommand,
  io: CliIo,
  stdin: NodeJS.ReadStream = process.stdin,
): Promise<number> {
  const home = resolveHome(cmd, io);
  if (cmd.values['set-admin-password']) return setAdminPassword(home, io, stdin);
  const port = portOption(cmd.values.port, 'port', { allowAny: true }) ?? DEFAULT_SERVE_PORT;
  const host = typeof cmd.values.host === 'string' ? cmd.values.host : '127.0.0.1';
  const serveFile = ensureHome(home).serveFile;
  const owner = claimServeFile(serveFile, io);
  if (owner) {
    io.stderr(
      `medianest-appliance: another serve (pid ${owner.pid}) is already running for ${home}${owner.url ? ` at ${owner.url}` : ''}. Stop it first, or give another --home.`,
    );
    return EXIT.failed;
  }
  let server: AppServer | undefined;
  try {
    const allowedHosts = (io.env[ALLOWED_HOSTS_ENV] ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    const transport = transportOptions(cmd, io, host, home);
    server = createServer({ home, host, port, env: io.env, allowedHosts, ...transport });
    await applyAdminPasswordEnv(server, io);
    if (server.mode === 'lan' && !server.hasAdminPassword()) {
      io.stderr(`medianest-appliance: ${lanRefusal(host)}`);
      return EXIT.failed;
    }
    const { url, token } = await server.start();
    const { loginUrl } = server.createLoginLink();
    const tls = server.tls();
    const fingerprint = tls ? { fingerprint: tls.fingerprint } : {};
    writeServeFile(serveFile, { url, token, pid: process.pid, loginUrl, ...fingerprint });
    if (tls) {
      const where = tls.source === 'user' ? '' : ` ${join(home, 'tls')}`;
      io.stderr(
        `medianest-appliance: HTTPS certificate ${CERTIFICATE_SOURCE[tls.source]}${where}, valid until ${tls.notAfter.slice(0, 10)}`,
      );
    }
    announceReady(io, cmd.values.json === true, { url, loginUrl, serveFile, tls });
    await io.untilShutdown();
    return EXIT.ok;
  } finally {
    await server?.stop();
    releaseServeFile(serveFile);
  }
}
