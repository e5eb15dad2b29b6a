/**
 * bench/backup: our backup and restore against the raw tools, same stack, same run. Seeds SIZE MB of
 * database rows and SIZE MB of uploads (many 4 KiB files and three large ones, random bytes);
 * then times
 *   raw backup:  pg_dump -Fc through exec to a file + tar czf of the uploads
 *   our backup:  `medianest-appliance backup` (dump, Redis, files, config, encryption, verify)
 *   raw restore: pg_restore of that dump into a fresh database through exec + tar xzf
 *   our restore: `medianest-appliance restore ID --yes` (verify, safety snapshot, staging, swap,
 *                health-gated start), over the live data and again after wiping it
 * The restore after a wipe is the case the raw tools model (an empty database and folder); over
 * live data ours also takes a verified safety snapshot first, so that run is also compared with
 * the same work by hand (raw backup, then raw restore). The manager's RSS is sampled throughout
 * ours (the built CLI in its own process). Targets (issue 7): backup at most 1.2x, restore at most
 * 1.3x, RSS below 300 MB. The figure is SIZE=1024.
 *
 *   DOCKER_HOST=... MEDIANEST_IMAGES=... npx tsx bench/backup/run.ts [SIZE_MB=1024]
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import Docker from 'dockerode';
import { runCli } from '../../server/src/cli/run.js';
import { DockerodeExecStream } from '../../server/src/infra/docker/dockerode-exec-stream.js';
import { DockerodeServiceExec } from '../../server/src/infra/docker/dockerode-service-exec.js';
import { removeComposeProject } from '../../tests/integration/support/project.js';

const sizeMb = Number(process.argv[2] ?? 1024);
const CLI = join(process.cwd(), 'dist', 'server', 'src', 'cli.js');
// The measured runs use the built CLI, built from these sources now.
execFileSync('npx', ['tsc', '-b', 'tsconfig.node.json'], { stdio: 'inherit' });
const dockerHost = process.env.DOCKER_HOST;
const imagesFile = process.env.MEDIANEST_IMAGES;
if (!dockerHost || !imagesFile)
  throw new Error('Set DOCKER_HOST and MEDIANEST_IMAGES from tests/rig/up.sh');
const PROJECT = 'mnbenchbackup';
const docker = new Docker({ socketPath: dockerHost.replace('unix://', '') });
const home = mkdtempSync(join(tmpdir(), 'mna-bench-backup-'));
const scratch = mkdtempSync(join(tmpdir(), 'mna-bench-raw-'));
const env = { ...process.env, MEDIANEST_COMPOSE_PROJECT: PROJECT };
const port = 30_000 + Math.floor(Math.random() * 20_000);
const exec = new DockerodeServiceExec(dockerHost, PROJECT);
const streams = new DockerodeExecStream(dockerHost, PROJECT);

/** Each CLI run's progress lines with when they came, for the per-step breakdown. */
const stepLog = new Map<string, Array<{ at: number; text: string }>>();

async function cli(args: string[]): Promise<string> {
  const out: string[] = [];
  const err: string[] = [];
  const steps: Array<{ at: number; text: string }> = [];
  stepLog.set(args[0] ?? '', steps);
  const code = await runCli([...args, '--home', home], {
    stdout: (t) => out.push(t),
    stderr: (t) => {
      err.push(t);
      steps.push({ at: performance.now(), text: t });
    },
    env,
    untilShutdown: () => Promise.resolve(),
  });
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}: ${err.join('\n')}`);
  return out.join('\n');
}

async function psql(sql: string, db = 'medianest'): Promise<string> {
  const r = await exec.exec('postgres', ['psql', '-U', 'medianest', '-d', db, '-At', '-c', sql], {
    timeoutMs: 3_600_000,
  });
  if (r.exitCode !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

async function timed<T>(
  work: () => Promise<T>,
): Promise<{ seconds: number; peakRss: number; result: T }> {
  let peakRss = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const started = performance.now();
  try {
    const result = await work();
    return { seconds: (performance.now() - started) / 1000, peakRss, result };
  } finally {
    clearInterval(timer);
  }
}

async function seed(): Promise<void> {
  // ~1 KiB a row.
  const rows = sizeMb * 1024;
  await psql(
    `INSERT INTO rig_records (title, body) SELECT 'bench ' || g, jsonb_build_object('pad', repeat(md5(g::text), 30)) FROM generate_series(1, ${rows}) g`,
  );
  const uploads = join(home, 'data', 'uploads');
  const small = Math.floor((sizeMb * 1024 * 1024) / 2 / 4096);
  for (let i = 0; i < small; i += 1)
    writeFileSync(join(uploads, `small-${i}.bin`), randomBytes(4096));
  const large = Math.floor((sizeMb * 1024 * 1024) / 2 / 3);
  for (let i = 0; i < 3; i += 1) {
    const out = createWriteStream(join(uploads, `large-${i}.bin`));
    for (let done = 0; done < large; done += 1 << 20)
      out.write(randomBytes(Math.min(1 << 20, large - done)));
    await new Promise((r) => out.end(r));
  }
  execFileSync('chown', ['-R', '1001:1001', uploads]);
}

async function rawBackup(): Promise<void> {
  const dump = await streams.run('postgres', [
    'pg_dump',
    '-U',
    'medianest',
    '-d',
    'medianest',
    '-Fc',
  ]);
  await pipeline(dump.stdout, createWriteStream(join(scratch, 'medianest.dump')));
  if ((await dump.done).exitCode !== 0) throw new Error('pg_dump failed');
  execFileSync('tar', ['czf', join(scratch, 'uploads.tgz'), '-C', join(home, 'data'), 'uploads']);
}

async function rawRestore(): Promise<void> {
  await psql('DROP DATABASE IF EXISTS bench_raw', 'postgres');
  await psql('CREATE DATABASE bench_raw', 'postgres');
  const restore = await streams.run(
    'postgres',
    ['pg_restore', '-U', 'medianest', '-d', 'bench_raw', '--no-owner'],
    createReadStream(join(scratch, 'medianest.dump')),
  );
  restore.stdout.resume();
  if ((await restore.done).exitCode !== 0) throw new Error('pg_restore failed');
  const target = join(scratch, 'untar');
  mkdirSync(target);
  execFileSync('tar', ['xzf', join(scratch, 'uploads.tgz'), '-C', target]);
  await psql('DROP DATABASE bench_raw', 'postgres');
}

/**
 * Runs the built CLI (`node dist/server/src/cli.js`, as `medianest-appliance` runs) in its own
 * process, so the manager's RSS is its own (sampled from /proc every 50 ms, with the kernel's
 * high-water mark), not this script's, which holds the seeding's garbage.
 */
async function managerRun(args: string[]): Promise<{ stdout: string; peakRss: number }> {
  const steps: Array<{ at: number; text: string }> = [];
  stepLog.set(args[0] ?? '', steps);
  const child = spawn(process.execPath, [CLI, ...args, '--home', home], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  createInterface({ input: child.stderr }).on('line', (text) => {
    stderr += `${text}\n`;
    steps.push({ at: performance.now(), text });
  });
  let peakRss = 0;
  const sample = (): void => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      for (const field of ['VmRSS', 'VmHWM']) {
        const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
        peakRss = Math.max(peakRss, kb * 1024);
      }
    } catch {
      // Gone between two samples.
    }
  };
  const timer = setInterval(sample, 50);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}: ${stderr}`);
  return { stdout, peakRss };
}

/**
 * Seconds spent in each step of a run, steps named by their progress line less the per-file part
 * ("Writing files/uploads/a.bin" counts as "Writing files"), in order of first appearance.
 */
function breakdown(verb: string, end: number): string {
  const steps = stepLog.get(verb) ?? [];
  const totals = new Map<string, number>();
  steps.forEach((step, i) => {
    const name = step.text
      .replace(/^\[\s*\d+%\]\s*/, '')
      .replace(/^(Safety snapshot: )?(Writing|Verifying) (\w+)\/.*$/, '$1$2 $3');
    const next = steps[i + 1]?.at ?? end;
    totals.set(name, (totals.get(name) ?? 0) + (next - step.at) / 1000);
  });
  return [...totals]
    .filter(([, seconds]) => seconds >= 0.05)
    .map(([name, seconds]) => `      ${seconds.toFixed(1).padStart(6)} s  ${name}`)
    .join('\n');
}

const initArgs = [
  'init',
  '--images',
  imagesFile,
  '--http-port',
  String(port),
  '--https-port',
  String(port + 1),
];

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

try {
  await removeComposeProject(docker, PROJECT);
  await cli(initArgs);
  await cli(['up']);
  console.log(`seeding ${sizeMb} MB of rows and ${sizeMb} MB of uploads...`);
  await seed();
  const rawB = await timed(rawBackup);
  const ourB = await timed(() => managerRun(['backup', '--json']));
  const backup = JSON.parse(ourB.result.stdout) as { id: string; size: number };
  const backupEnd = performance.now();
  const rawR = await timed(rawRestore);
  const ourR = await timed(() => managerRun(['restore', backup.id, '--yes']));
  const restoreEnd = performance.now();
  stepLog.set('restore over live data', stepLog.get('restore') ?? []);
  // Disaster recovery, the case the raw tools model (restoring into an empty database): the data
  // is wiped (down, data folders deleted, a fresh empty stack up), then the same backup restored.
  await cli(['down']);
  for (const name of ['postgres', 'redis', 'uploads', 'downloads']) {
    rmSync(join(home, 'data', name), { recursive: true, force: true });
  }
  await cli(initArgs);
  await cli(['up']);
  const ourW = await timed(() => managerRun(['restore', backup.id, '--yes']));
  const wipedEnd = performance.now();
  console.log(
    `bench/backup, ${sizeMb} MB rows + ${sizeMb} MB uploads (archive ${mb(backup.size)})`,
  );
  console.log(
    `  backup : raw ${rawB.seconds.toFixed(1)} s, ours ${ourB.seconds.toFixed(1)} s, ratio ${(ourB.seconds / rawB.seconds).toFixed(2)}x (target <= 1.2x)`,
  );
  console.log(
    `  restore over the live data (ours includes a verified safety snapshot of it): raw ${rawR.seconds.toFixed(1)} s, ours ${ourR.seconds.toFixed(1)} s, ratio ${(ourR.seconds / rawR.seconds).toFixed(2)}x (target <= 1.3x)`,
  );
  console.log(
    `  restore after the data was wiped (disaster recovery): raw ${rawR.seconds.toFixed(1)} s, ours ${ourW.seconds.toFixed(1)} s, ratio ${(ourW.seconds / rawR.seconds).toFixed(2)}x (target <= 1.3x)`,
  );
  // The same work by hand over live data: a copy of the current state first (raw backup), then
  // the raw restore.
  const byHand = rawB.seconds + rawR.seconds;
  console.log(
    `  restore over the live data against the same work by hand (raw backup of the current state, then raw restore): raw ${byHand.toFixed(1)} s, ours ${ourR.seconds.toFixed(1)} s, ratio ${(ourR.seconds / byHand).toFixed(2)}x`,
  );
  console.log(`  where our time went:\n    backup\n${breakdown('backup', backupEnd)}`);
  console.log(`    restore over live data\n${breakdown('restore over live data', restoreEnd)}`);
  console.log(`    restore after a wipe\n${breakdown('restore', wipedEnd)}`);
  console.log(
    `  manager RSS peak (its own process): backup ${mb(ourB.result.peakRss)}, restore ${mb(Math.max(ourR.result.peakRss, ourW.result.peakRss))} (target < 300 MB)`,
  );
} finally {
  await cli(['down']).catch(() => undefined);
  await removeComposeProject(docker, PROJECT);
  rmSync(home, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
}
