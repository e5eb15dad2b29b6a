/**
 * One way of reading the stack's resources, alone in its own process so bench/idle-overhead/
 * sources.ts can read its CPU from /proc: `streams` (a stats stream per container, as the server
 * did until 2026-12), `engine` (one-shot stats on one 5 s timer) or `files` (the cgroup files on
 * one 5 s timer, the engine's one-shot stats where they cannot be read). Prints `ready` once
 * reading; stops on SIGTERM.
 *
 *   node <bundle> streams|engine|files <project>   (sources.ts runs it bundled)
 */
import Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { ResourceSampler } from '../../server/src/core/health/resources-sampler.js';
import { sampleFromStats, type RawStats } from '../../server/src/core/health/resources-stats.js';
import { DockerodeStatsGateway } from '../../server/src/infra/docker/dockerode-stats-gateway.js';
import { engineLines } from '../../server/src/infra/docker/engine-lines.js';

const [mode, project] = process.argv.slice(2);
const dockerHost = process.env.DOCKER_HOST ?? '';
if (!project || !['streams', 'engine', 'files'].includes(mode ?? ''))
  throw new Error('usage: reader.ts streams|engine|files <project>');
let readings = 0;
let stop: () => Promise<void>;

if (mode === 'streams') {
  const docker = new Docker({ socketPath: dockerHost.replace('unix://', '') });
  const abort = new AbortController();
  const running = await docker.listContainers({
    filters: { label: [`com.docker.compose.project=${project}`], status: ['running'] },
  });
  const reading = running.map(async (c) => {
    const open = async (abortSignal: AbortSignal): Promise<Readable> =>
      (await docker
        .getContainer(c.Id)
        .stats({ stream: true, abortSignal } as { stream: true })) as unknown as Readable;
    for await (const line of engineLines(open, abort.signal)) {
      if (sampleFromStats(c.Id, JSON.parse(line) as RawStats)) readings += 1;
    }
  });
  stop = async () => {
    abort.abort();
    await Promise.allSettled(reading);
  };
} else {
  const sampler = new ResourceSampler({
    gateway: () => new DockerodeStatsGateway(dockerHost, { readCgroups: mode === 'files' }),
    project,
    now: () => new Date(),
    publish: () => undefined,
    onSample: () => void (readings += 1),
  });
  sampler.start();
  await sampler.reconcile();
  stop = () => sampler.stop();
}
// The sampler's timer does not keep a process alive (the server's listener does): this does.
const alive = setInterval(() => undefined, 60_000);
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  clearInterval(alive);
  void stop().then(() => {
    process.stderr.write(`${mode}: ${readings} readings\n`);
    process.exit(0);
  });
});
