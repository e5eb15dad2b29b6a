/** The stack and the fake engine the reconciler's tests start, and a health probe that passes. */
import type { StackProgress } from '../../contract/stack.js';
import type { ComposeFile, Service } from './compose-model.js';
import { FakeEngine } from './fake-engine.test-support.js';
import type { HealthProbe } from './health-probe.js';
import { planStack, type DesiredService } from './plan.js';
import { Reconciler } from './reconciler.js';

const hc = { test: ['CMD', 'true'], interval: '1s', timeout: '1s', retries: 1, start_period: '0s' };
export const base: Record<string, Service> = {
  postgres: { image: 'pg', networks: { backend: {} }, healthcheck: hc },
  redis: { image: 'redis', networks: { backend: {} }, healthcheck: hc },
  migrate: {
    image: 'backend',
    networks: { backend: {} },
    restart: 'no',
    depends_on: { postgres: { condition: 'service_healthy' } },
  },
  backend: {
    image: 'backend',
    networks: { backend: {}, frontend: {} },
    healthcheck: hc,
    depends_on: {
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
    },
  },
  nginx: {
    image: 'nginx',
    networks: { frontend: {} },
    ports: ['0.0.0.0:8080:80'],
    healthcheck: hc,
    depends_on: { backend: { condition: 'service_healthy' } },
  },
};

export const planOf = (services: Record<string, Service>) => {
  const compose: ComposeFile = {
    services,
    networks: { backend: { internal: true }, frontend: {} },
  };
  return planStack(compose, {
    project: 'medianest',
    composeFile: '/s/compose.yaml',
    workingDir: '/s',
    fileHashes: new Map(),
  });
};

/** A healthcheck run on demand that always passes, recording what it was asked to run. */
export function passingProbe() {
  const checks: Array<{ containerId: string; test: readonly string[]; timeoutMs: number }> = [];
  const healthProbe: HealthProbe = {
    check: async (containerId, test, timeoutMs) => {
      checks.push({ containerId, test, timeoutMs });
      return true;
    },
  };
  return { healthProbe, checks };
}

export function setupReconciler(
  opts: {
    takenPort?: number;
    healthProbe?: HealthProbe;
    beforeRun?: (service: DesiredService) => Promise<void>;
  } = {},
) {
  const engine = new FakeEngine();
  ['pg', 'redis', 'backend', 'nginx'].forEach((i) => engine.images.add(i));
  const progress: StackProgress[] = [];
  const reconciler = new Reconciler({
    gateway: engine,
    probe: {
      probePort: async (port) =>
        port === opts.takenPort ? { state: 'taken', holder: 'apache2 (pid 9)' } : { state: 'free' },
    },
    onProgress: (e) => progress.push(e),
    redact: (t) => t.replace('s3cr3t-value-0123456789', '[redacted]'),
    ...(opts.healthProbe ? { healthProbe: opts.healthProbe } : {}),
    ...(opts.beforeRun ? { beforeRun: opts.beforeRun } : {}),
  });
  return { engine, progress, reconciler };
}
