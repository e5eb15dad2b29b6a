/**
 * The stacks bench/update updates: each run installs a fresh one under its own compose project and
 * temporary home, with the appliance (`init` + `up`), and for the compose runs hands it over to
 * Debian's docker-compose 1.29. Also the two ways of updating it, run as their own processes so the
 * client's 100 ms schedule is never held up by their work.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type Docker from 'dockerode';
import { parseDocument, Scalar } from 'yaml';
import { runCli } from '../../server/src/cli/run.js';
import { prepareMigrations } from '../../server/src/core/stack/migrations.js';
import { DockerodeStackGateway } from '../../server/src/infra/docker/dockerode-stack-gateway.js';
import { homePaths, type HomePaths } from '../../server/src/infra/fs/home.js';
import { NodeFileSystem } from '../../server/src/infra/fs/node-file-system.js';
import { removeComposeProject } from '../../tests/integration/support/project.js';

export interface RunStack {
  readonly project: string;
  readonly paths: HomePaths;
  readonly httpPort: number;
  readonly env: NodeJS.ProcessEnv;
  readonly dockerHost: string;
}

/** What a process said on stderr, line by line, with when (performance.now()). */
export interface Said {
  readonly code: number | null;
  readonly lines: ReadonlyArray<{ readonly at: number; readonly text: string }>;
}

const CHECKOUT = join(import.meta.dirname, '..', '..');

function freePortPair(): Promise<number> {
  const tryPort = (port: number): Promise<boolean> =>
    new Promise((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
  return (async () => {
    for (;;) {
      const port = 42_000 + 2 * Math.floor(Math.random() * 3_000);
      if ((await tryPort(port)) && (await tryPort(port + 1))) return port;
    }
  })();
}

async function cliOk(stack: RunStack, args: string[]): Promise<void> {
  const said: string[] = [];
  const code = await runCli([...args, '--home', stack.paths.root], {
    stdout: () => undefined,
    stderr: (t) => said.push(t),
    env: stack.env,
    untilShutdown: () => Promise.resolve(),
  });
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}: ${said.join('\n')}`);
}

/** A new home and compose project for one run (nothing on the engine yet). */
export async function newStack(dockerHost: string, name: string): Promise<RunStack> {
  const project = `mnbenchupd-${name}-${randomBytes(3).toString('hex')}`;
  const home = join(mkdtempSync(join(tmpdir(), 'mna-bench-update-')), 'home');
  return {
    project,
    paths: homePaths(home),
    httpPort: await freePortPair(),
    dockerHost,
    env: { ...process.env, DOCKER_HOST: dockerHost, MEDIANEST_COMPOSE_PROJECT: project },
  };
}

/** `init` + `up` on the given images (the backend at v1). */
export async function installStack(stack: RunStack, imagesFile: string): Promise<void> {
  const ports = ['--http-port', String(stack.httpPort), '--https-port', String(stack.httpPort + 1)];
  await cliOk(stack, ['init', '--images', imagesFile, ...ports]);
  await cliOk(stack, ['up']);
}

/** Removes the stack's containers, networks and volumes, and its home (data included). */
export async function removeStack(docker: Docker, stack: RunStack): Promise<void> {
  await removeComposeProject(docker, stack.project);
  rmSync(join(stack.paths.root, '..'), { recursive: true, force: true });
}

/** Runs a program, its stderr (and stdout, with `merge`) read line by line as it comes. */
function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  merge = false,
): Promise<Said> {
  const lines: Array<{ at: number; text: string }> = [];
  const child = spawn(command, args, { env, cwd: CHECKOUT, stdio: ['ignore', 'pipe', 'pipe'] });
  const read = (stream: NodeJS.ReadableStream): void => {
    createInterface({ input: stream }).on('line', (text) =>
      lines.push({ at: performance.now(), text }),
    );
  };
  read(child.stderr);
  if (merge) read(child.stdout);
  else child.stdout.resume();
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, lines }));
  });
}

/**
 * `medianest-appliance update backend --to TAG --yes` in its own process, from these sources
 * (tsx transpiles them as they load: its start-up comes before the update stops anything).
 */
export function updateWithAppliance(stack: RunStack, tag: string): Promise<Said> {
  const tsx = join(CHECKOUT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  return run(
    process.execPath,
    [
      tsx,
      'server/src/cli.ts',
      'update',
      'backend',
      '--to',
      tag,
      '--yes',
      '--home',
      stack.paths.root,
    ],
    stack.env,
  );
}

/** Debian's docker-compose 1.29 on the stack's file and project, as a user runs it. */
export function compose(stack: RunStack, args: string[]): Promise<Said> {
  return run(
    'docker-compose',
    ['-p', stack.project, '-f', stack.paths.composeFile, ...args],
    { ...process.env, DOCKER_HOST: stack.dockerHost },
    true,
  );
}

function editCompose(stack: RunStack, edit: (doc: ReturnType<typeof parseDocument>) => void): void {
  // The document API keeps every other scalar as written (double-quoted: PyYAML reads YAML 1.1).
  const doc = parseDocument(readFileSync(stack.paths.composeFile, 'utf8'));
  edit(doc);
  writeFileSync(stack.paths.composeFile, doc.toString());
}

const quoted = (value: string): Scalar => {
  const scalar = new Scalar(value);
  scalar.type = Scalar.QUOTE_DOUBLE;
  return scalar;
};

/**
 * Hands the installed stack over to docker-compose: `down` by the appliance (the data, the
 * secrets' owners and the migrations it prepared stay), the image's own command written into the
 * file for the services that take it from the image (plain compose cannot: the file starts them
 * through the secrets shim with no command, compose-templates/README.md), then `up -d`.
 */
export async function handOverToCompose(docker: Docker, stack: RunStack): Promise<void> {
  await cliOk(stack, ['down']);
  const commands = new Map<string, string[]>();
  const doc = parseDocument(readFileSync(stack.paths.composeFile, 'utf8'));
  for (const service of ['backend', 'frontend']) {
    const label = doc.getIn([
      'services',
      service,
      'labels',
      'org.medianest.appliance.command-from-image',
    ]);
    if (String(label) !== 'true') continue;
    const { Config } = await docker
      .getImage(String(doc.getIn(['services', service, 'image'])))
      .inspect();
    commands.set(service, [...(Config.Entrypoint ?? []), ...(Config.Cmd ?? [])]);
  }
  editCompose(stack, (d) => {
    for (const [service, command] of commands)
      d.setIn(['services', service, 'command'], d.createNode(command.map(quoted)));
  });
  const up = await compose(stack, ['up', '-d']);
  if (up.code !== 0)
    throw new Error(`docker-compose up -d failed: ${up.lines.map((l) => l.text).join('\n')}`);
}

/** The edit a user makes by hand: the backend's image from v1 to v2. */
export function setBackendImage(stack: RunStack, image: string): void {
  editCompose(stack, (doc) => doc.setIn(['services', 'backend', 'image'], quoted(image)));
}

/**
 * What a compose file whose migrate job runs the new image would apply: v2's migrations, read from
 * the image as the appliance reads them, in the folder the file's migrate job reads.
 */
export async function prepareNewMigrations(stack: RunStack, image: string): Promise<void> {
  await prepareMigrations(
    new DockerodeStackGateway(stack.dockerHost),
    new NodeFileSystem(),
    image,
    join(stack.paths.stackDir, 'migrations'),
  );
}

/** Every long-running service healthy and every job exited 0, by Docker's own status. */
export async function waitHealthy(
  docker: Docker,
  project: string,
  timeoutMs = 300_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const list = await docker.listContainers({
      all: true,
      filters: { label: [`com.docker.compose.project=${project}`] },
    });
    const waiting = list.filter(
      (c) => !c.Status.includes('(healthy)') && !/^Exited \(0\)/.test(c.Status),
    );
    if (list.length > 0 && waiting.length === 0) return;
    last = waiting.map((c) => `${c.Names[0] ?? c.Id}: ${c.Status}`).join(', ');
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the stack did not become healthy: ${last}`);
}

/** The last lines a service's container logged (what compose's v2 says when it refuses). */
export async function lastLog(docker: Docker, project: string, service: string): Promise<string> {
  const [c] = await docker.listContainers({
    all: true,
    filters: {
      label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${service}`],
    },
  });
  if (!c) return `(no ${service} container)`;
  const buf = await docker.getContainer(c.Id).logs({ stdout: true, stderr: true, tail: 1 });
  // Multiplexed (no TTY): each frame is an 8-byte header (stream, 0, 0, 0, size) and its text.
  const parts: Buffer[] = [];
  for (let at = 0; at + 8 <= buf.length;) {
    const size = buf.readUInt32BE(at + 4);
    parts.push(buf.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8').trim();
}
