import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeHostProbe } from '../../infra/system/node-host-probe.js';
import { discoverEngines } from './discovery.js';
import type { DiscoveryContext } from './host-probe.js';

const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
const HOME = '/home/user';

/** A real filesystem rooted in a temp folder: fixture files are copied in, sockets really listen. */
class RootedProbe {
  private readonly real = new NodeHostProbe();
  constructor(private readonly root: string) {}
  private at = (path: string): string => join(this.root, path);
  isSocket = (path: string): boolean => this.real.isSocket(this.at(path));
  readText = (path: string): string | undefined => this.real.readText(this.at(path));
  listDir = (path: string): string[] => this.real.listDir(this.at(path));
  realPath = (path: string): string => {
    const resolved = this.real.realPath(this.at(path));
    return resolved.startsWith(this.root) ? resolved.slice(this.root.length) : resolved;
  };
}

let root: string;
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  rmSync(root, { recursive: true, force: true });
});

async function scenario(
  fixture: string | undefined,
  sockets: string[],
  overrides: Partial<Omit<DiscoveryContext, 'probe'>> = {},
): Promise<DiscoveryContext> {
  root = mkdtempSync(join(tmpdir(), 'mna-disc-'));
  mkdirSync(join(root, HOME), { recursive: true });
  if (fixture) cpSync(join(FIXTURES, fixture), root, { recursive: true });
  for (const socket of sockets) {
    const path = join(root, socket);
    mkdirSync(dirname(path), { recursive: true });
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    servers.push(server);
  }
  return {
    env: {},
    platform: 'linux',
    homeDir: HOME,
    uid: 1000,
    probe: new RootedProbe(root),
    ...overrides,
  };
}

const endpoints = (ctx: DiscoveryContext): string[] =>
  discoverEngines(ctx).candidates.map((c) => c.endpoint);

describe('engine discovery', () => {
  it('finds nothing, and says so, on a machine without any engine', async () => {
    const result = discoverEngines(await scenario(undefined, []));
    expect(result.candidates).toEqual([]);
  });

  it('puts DOCKER_HOST first, before any context or socket', async () => {
    const ctx = await scenario('contexts', ['/var/run/docker.sock'], {
      env: { DOCKER_HOST: 'tcp://127.0.0.1:2375' },
    });
    const [first, ...rest] = discoverEngines(ctx).candidates;
    expect(first).toEqual({
      endpoint: 'tcp://127.0.0.1:2375',
      source: 'DOCKER_HOST',
      kind: 'unknown',
      origin: 'the DOCKER_HOST environment variable',
    });
    expect(rest.map((c) => c.source)).toEqual(['context', 'known-socket']);
  });

  it("follows the docker CLI's current context from config.json to its meta.json endpoint", async () => {
    const ctx = await scenario('contexts', []);
    expect(discoverEngines(ctx).candidates[0]).toMatchObject({
      endpoint: 'unix:///home/user/.colima/default/docker.sock',
      source: 'context',
      kind: 'colima',
      origin: 'docker context "colima"',
    });
  });

  it('lets DOCKER_CONTEXT override the current context', async () => {
    const ctx = await scenario('contexts', [], { env: { DOCKER_CONTEXT: 'rancher-desktop' } });
    expect(discoverEngines(ctx).candidates[0]).toMatchObject({
      endpoint: 'unix:///home/user/.rd/docker.sock',
      kind: 'rancher-desktop',
    });
  });

  it('reads contexts from DOCKER_CONFIG when it is set', async () => {
    const ctx = await scenario('contexts', [], {
      env: { DOCKER_CONFIG: '/home/user/.docker' },
      homeDir: '/nowhere',
    });
    expect(endpoints(ctx)).toEqual(['unix:///home/user/.colima/default/docker.sock']);
  });

  it('notes a context without a docker endpoint and falls back to sockets', async () => {
    const ctx = await scenario('contexts', ['/var/run/docker.sock'], {
      env: { DOCKER_CONTEXT: 'no-endpoint' },
    });
    const result = discoverEngines(ctx);
    expect(result.notes).toEqual(['Docker context "no-endpoint" has no docker endpoint.']);
    expect(endpoints(ctx)).toEqual(['unix:///var/run/docker.sock']);
  });

  it('notes a current context that does not exist', async () => {
    const result = discoverEngines(await scenario('context-missing', []));
    expect(result.candidates).toEqual([]);
    expect(result.notes[0]).toContain('"gone" was not found');
  });

  it('notes a config.json that is not JSON, and keeps looking', async () => {
    const ctx = await scenario('config-broken', ['/var/run/docker.sock']);
    const result = discoverEngines(ctx);
    expect(result.notes[0]).toContain('is not valid JSON');
    expect(result.candidates.map((c) => c.kind)).toEqual(['docker-engine']);
  });

  it('ignores the "default" context: it means the default socket', async () => {
    const ctx = await scenario('context-default', ['/var/run/docker.sock']);
    expect(discoverEngines(ctx).candidates.map((c) => c.source)).toEqual(['known-socket']);
  });

  it.each([
    ['/var/run/docker.sock', 'docker-engine'],
    ['/run/user/1000/docker.sock', 'docker-engine-rootless'],
    ['/home/user/.docker/desktop/docker.sock', 'docker-desktop'],
    ['/home/user/.colima/default/docker.sock', 'colima'],
    ['/home/user/.rd/docker.sock', 'rancher-desktop'],
    ['/run/user/1000/podman/podman.sock', 'podman'],
    ['/run/podman/podman.sock', 'podman'],
  ])('finds the Linux socket %s as %s', async (socket, kind) => {
    const ctx = await scenario(undefined, [socket]);
    expect(discoverEngines(ctx).candidates).toEqual([
      { endpoint: `unix://${socket}`, source: 'known-socket', kind, origin: socket },
    ]);
  });

  it('uses XDG_RUNTIME_DIR for the rootless sockets', async () => {
    const ctx = await scenario(undefined, ['/tmp/xdg/docker.sock'], {
      env: { XDG_RUNTIME_DIR: '/tmp/xdg' },
    });
    expect(endpoints(ctx)).toEqual(['unix:///tmp/xdg/docker.sock']);
  });

  it.each([
    ['/home/user/.docker/run/docker.sock', 'docker-desktop'],
    ['/var/run/docker.sock', 'docker-desktop'],
    ['/home/user/.colima/default/docker.sock', 'colima'],
    ['/home/user/.orbstack/run/docker.sock', 'orbstack'],
    [
      '/home/user/.local/share/containers/podman/machine/podman-machine-default/podman.sock',
      'podman',
    ],
  ])('finds the macOS socket %s as %s', async (socket, kind) => {
    const ctx = await scenario(undefined, [socket], { platform: 'darwin' });
    expect(discoverEngines(ctx).candidates).toEqual([
      { endpoint: `unix://${socket}`, source: 'known-socket', kind, origin: socket },
    ]);
  });

  it('offers the named pipes on Windows, after DOCKER_HOST', async () => {
    const ctx = await scenario(undefined, [], {
      platform: 'win32',
      env: { DOCKER_HOST: 'npipe:////./pipe/custom' },
    });
    expect(discoverEngines(ctx).candidates).toEqual([
      expect.objectContaining({ endpoint: 'npipe:////./pipe/custom', source: 'DOCKER_HOST' }),
      {
        endpoint: 'npipe:////./pipe/docker_engine',
        source: 'named-pipe',
        kind: 'docker-desktop',
        origin: '//./pipe/docker_engine',
      },
      {
        endpoint: 'npipe:////./pipe/podman-machine-default',
        source: 'named-pipe',
        kind: 'podman',
        origin: '//./pipe/podman-machine-default',
      },
    ]);
  });

  it('lists one engine once when /var/run is a link to /run', async () => {
    const ctx = await scenario(undefined, ['/run/docker.sock']);
    mkdirSync(join(root, 'var'), { recursive: true });
    symlinkSync(join(root, 'run'), join(root, 'var', 'run'));
    expect(endpoints(ctx)).toEqual(['unix:///var/run/docker.sock']);
  });

  it('lists several engines in the documented order', async () => {
    const ctx = await scenario(undefined, [
      '/home/user/.rd/docker.sock',
      '/var/run/docker.sock',
      '/home/user/.colima/default/docker.sock',
    ]);
    expect(discoverEngines(ctx).candidates.map((c) => c.kind)).toEqual([
      'docker-engine',
      'colima',
      'rancher-desktop',
    ]);
  });

  it('skips a plain file where a socket should be', async () => {
    const ctx = await scenario('contexts', []);
    mkdirSync(join(root, 'var/run'), { recursive: true });
    cpSync(join(root, HOME, '.docker/config.json'), join(root, 'var/run/docker.sock'));
    expect(endpoints({ ...ctx, env: { DOCKER_CONTEXT: 'default' } })).toEqual([]);
  });
});
