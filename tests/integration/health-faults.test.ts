/**
 * The health model against real faults on the rig's engine: a container killed by the kernel for
 * memory (tiny limit) shows as OOM-killed, and a crash loop shows its restarts climbing, each with
 * the right overall status — from the event stream alone, no polling.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { StackHealth } from '../../server/src/contract/health.js';
import { HealthMonitor } from '../../server/src/core/health/health-monitor.js';
import { planStack } from '../../server/src/core/stack/plan.js';
import { DockerodeStackGateway } from '../../server/src/infra/docker/dockerode-stack-gateway.js';
import { removeComposeProject } from './support/project.js';
import { imageOf, rigDocker, rigEnv } from './support/rig.js';

const rig = rigEnv();
const docker = rigDocker(rig);
const PROJECT = `mnfault${Date.now().toString(36)}`;
const node = imageOf(rig, 'backend');
const quiet = {
  test: ['CMD', 'true'],
  interval: '1s',
  timeout: '1s',
  retries: 1,
  start_period: '0s',
};

const plan = planStack(
  {
    services: {
      steady: {
        image: node,
        entrypoint: ['node', '-e', 'setInterval(() => {}, 1000)'],
        networks: { back: {} },
        healthcheck: quiet,
      },
      hog: {
        image: node,
        entrypoint: [
          'node',
          '-e',
          'const a = []; setInterval(() => { for (let i = 0; i < 50; i++) a.push(Buffer.alloc(1 << 20, 1)); }, 10)',
        ],
        networks: { back: {} },
        deploy: { resources: { limits: { memory: '48M' } } },
        restart: 'unless-stopped',
      },
      crasher: {
        image: node,
        entrypoint: ['node', '-e', 'setTimeout(() => process.exit(3), 300)'],
        networks: { back: {} },
        restart: 'always',
      },
    },
    networks: { back: {} },
  },
  {
    project: PROJECT,
    composeFile: '/nonexistent/compose.yaml',
    workingDir: '/nonexistent',
    fileHashes: new Map(),
  },
);

const gateway = new DockerodeStackGateway(rig.dockerHost);
let monitor: HealthMonitor;

async function until(check: (h: StackHealth) => boolean, ms: number): Promise<StackHealth> {
  const end = Date.now() + ms;
  for (;;) {
    const h = monitor.snapshot();
    if (check(h)) return h;
    if (Date.now() > end) throw new Error(`not reached: ${JSON.stringify(h)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

afterAll(async () => {
  await monitor.stop();
  await removeComposeProject(docker, PROJECT);
});

describe('faults seen by the health model on a real engine', () => {
  it('reports an OOM kill and a crash loop, and what they do to the overall status', async () => {
    await removeComposeProject(docker, PROJECT);
    await gateway.createNetwork(plan.networks[0]!);
    monitor = new HealthMonitor({
      gateway: () => gateway,
      plan: async () => plan,
      project: PROJECT,
      publish: () => undefined,
      now: () => new Date(),
    });
    monitor.start();
    const steady = plan.services.find((s) => s.name === 'steady')!;
    await gateway.startContainer(await gateway.createContainer(steady));
    await until((h) => h.services.find((s) => s.service === 'steady')?.state === 'healthy', 30_000);
    for (const name of ['hog', 'crasher']) {
      const service = plan.services.find((s) => s.name === name)!;
      await gateway.startContainer(await gateway.createContainer(service));
    }
    const oom = await until(
      (h) => h.services.some((s) => s.service === 'hog' && s.oomKilled),
      60_000,
    );
    expect(oom.status).toBe('degraded');
    expect(oom.reason).toContain('hog ran out of memory');
    const loop = await until(
      (h) => (h.services.find((s) => s.service === 'crasher')?.restarts ?? 0) >= 2,
      60_000,
    );
    expect(loop.status).toBe('degraded');
    expect(loop.services.find((s) => s.service === 'steady')?.state).toBe('healthy');
  });
});
