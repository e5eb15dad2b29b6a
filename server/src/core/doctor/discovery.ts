import type { EngineCandidate, EngineKind } from '../../contract/doctor.js';
import type { DiscoveryContext } from './host-probe.js';

export interface DiscoveryResult {
  /** Every endpoint that exists, in the order DESIGN.md gives; the first is the one to use. */
  candidates: EngineCandidate[];
  /** Things a user should know about the search, e.g. a current context that does not exist. */
  notes: string[];
}

/** Guess what kind of engine sits behind an address from its path. */
export function kindOfEndpoint(endpoint: string, platform: NodeJS.Platform): EngineKind {
  const e = endpoint.toLowerCase();
  if (e.includes('.colima')) return 'colima';
  if (e.includes('/.rd/') || e.includes('rancher')) return 'rancher-desktop';
  if (e.includes('podman')) return 'podman';
  if (e.includes('.orbstack')) return 'orbstack';
  if (e.includes('.docker/desktop') || e.includes('.docker/run') || e.includes('docker_engine')) {
    return 'docker-desktop';
  }
  if (/\/run\/user\/\d+\/docker\.sock$/.test(e)) return 'docker-engine-rootless';
  if (e === 'unix:///var/run/docker.sock' || e === 'unix:///run/docker.sock') {
    return platform === 'darwin' ? 'docker-desktop' : 'docker-engine';
  }
  return 'unknown';
}

function join(...parts: string[]): string {
  return parts.join('/').replace(/\/+/g, '/');
}

/** The Docker CLI's current context, from DOCKER_CONTEXT or config.json's `currentContext`. */
function contextCandidate(ctx: DiscoveryContext, notes: string[]): EngineCandidate | undefined {
  const configDir = ctx.env.DOCKER_CONFIG || join(ctx.homeDir, '.docker');
  let name = ctx.env.DOCKER_CONTEXT;
  if (!name) {
    const text = ctx.probe.readText(join(configDir, 'config.json'));
    if (text === undefined) return undefined;
    try {
      const parsed = JSON.parse(text) as { currentContext?: unknown };
      if (typeof parsed.currentContext === 'string') name = parsed.currentContext;
    } catch {
      notes.push(
        `${join(configDir, 'config.json')} is not valid JSON; its docker context was ignored.`,
      );
      return undefined;
    }
  }
  if (!name || name === 'default') return undefined;
  const metaRoot = join(configDir, 'contexts', 'meta');
  for (const dir of ctx.probe.listDir(metaRoot)) {
    const text = ctx.probe.readText(join(metaRoot, dir, 'meta.json'));
    if (text === undefined) continue;
    let meta: { Name?: unknown; Endpoints?: { docker?: { Host?: unknown } } };
    try {
      meta = JSON.parse(text) as typeof meta;
    } catch {
      continue;
    }
    if (meta.Name !== name) continue;
    const host = meta.Endpoints?.docker?.Host;
    if (typeof host !== 'string' || host === '') {
      notes.push(`Docker context "${name}" has no docker endpoint.`);
      return undefined;
    }
    return {
      endpoint: host,
      source: 'context',
      kind: kindOfEndpoint(host, ctx.platform),
      origin: `docker context "${name}"`,
    };
  }
  notes.push(`The current docker context "${name}" was not found under ${metaRoot}.`);
  return undefined;
}

function knownSockets(ctx: DiscoveryContext): Array<{ path: string; kind: EngineKind }> {
  const home = ctx.homeDir;
  const runtimeDir = ctx.env.XDG_RUNTIME_DIR || `/run/user/${ctx.uid}`;
  const colimaHome = ctx.env.COLIMA_HOME || join(home, '.colima');
  const podmanMachines = join(home, '.local/share/containers/podman/machine');
  const machineSockets = ctx.probe
    .listDir(podmanMachines)
    .map((dir) => ({ path: join(podmanMachines, dir, 'podman.sock'), kind: 'podman' as const }));
  if (ctx.platform === 'darwin') {
    return [
      { path: join(home, '.docker/run/docker.sock'), kind: 'docker-desktop' },
      { path: '/var/run/docker.sock', kind: 'docker-desktop' },
      { path: join(colimaHome, 'default/docker.sock'), kind: 'colima' },
      { path: join(home, '.rd/docker.sock'), kind: 'rancher-desktop' },
      { path: join(home, '.orbstack/run/docker.sock'), kind: 'orbstack' },
      { path: join(podmanMachines, 'podman.sock'), kind: 'podman' },
      ...machineSockets,
    ];
  }
  return [
    { path: '/var/run/docker.sock', kind: 'docker-engine' },
    { path: '/run/docker.sock', kind: 'docker-engine' },
    { path: join(runtimeDir, 'docker.sock'), kind: 'docker-engine-rootless' },
    { path: join(home, '.docker/desktop/docker.sock'), kind: 'docker-desktop' },
    { path: join(colimaHome, 'default/docker.sock'), kind: 'colima' },
    { path: join(colimaHome, 'docker.sock'), kind: 'colima' },
    { path: join(home, '.rd/docker.sock'), kind: 'rancher-desktop' },
    { path: join(runtimeDir, 'podman/podman.sock'), kind: 'podman' },
    { path: '/run/podman/podman.sock', kind: 'podman' },
  ];
}

/**
 * Finds Docker engines in the order a user expects: `DOCKER_HOST`, then the docker CLI's current
 * context, then the known sockets of Docker Engine (rootful, rootless), Docker Desktop, Colima,
 * Rancher Desktop, OrbStack and Podman, then (Windows) the named pipes.
 */
export function discoverEngines(ctx: DiscoveryContext): DiscoveryResult {
  const notes: string[] = [];
  const candidates: EngineCandidate[] = [];
  const seen = new Set<string>();
  // /var/run is usually a link to /run: one engine is listed once, whichever way it was named.
  const keyOf = (endpoint: string): string =>
    endpoint.startsWith('unix://') ? `unix://${ctx.probe.realPath(endpoint.slice(7))}` : endpoint;
  const add = (candidate: EngineCandidate): void => {
    const key = keyOf(candidate.endpoint);
    if (seen.has(key)) return;
    seen.add(key);
    candidates.push(candidate);
  };

  const dockerHost = ctx.env.DOCKER_HOST?.trim();
  if (dockerHost) {
    add({
      endpoint: dockerHost,
      source: 'DOCKER_HOST',
      kind: kindOfEndpoint(dockerHost, ctx.platform),
      origin: 'the DOCKER_HOST environment variable',
    });
  }
  const fromContext = contextCandidate(ctx, notes);
  if (fromContext) add(fromContext);

  if (ctx.platform === 'win32') {
    for (const [pipe, kind] of [
      ['//./pipe/docker_engine', 'docker-desktop'],
      ['//./pipe/podman-machine-default', 'podman'],
    ] as const) {
      add({ endpoint: `npipe://${pipe}`, source: 'named-pipe', kind, origin: pipe });
    }
    return { candidates, notes };
  }

  for (const { path, kind } of knownSockets(ctx)) {
    if (!ctx.probe.isSocket(path)) continue;
    add({ endpoint: `unix://${path}`, source: 'known-socket', kind, origin: path });
  }
  return { candidates, notes };
}
