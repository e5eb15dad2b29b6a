import { describe, expect, it } from 'vitest';
import type { ComposeFile, Service } from './compose-model.js';
import { dependencyOrder, LABEL_READY_WHEN, planStack } from './plan.js';

const svc = (extra: Partial<Service> = {}): Service => ({
  image: 'img:1',
  networks: { back: {} },
  ...extra,
});

const compose = (services: Record<string, Service>): ComposeFile => ({
  services,
  networks: { back: { internal: true }, front: {} },
  secrets: { backend_jwt_secret: { file: './secrets/by-service/backend/jwt_secret' } },
});

const options = {
  project: 'medianest',
  composeFile: '/h/stack/compose.yaml',
  workingDir: '/h/stack',
  fileHashes: new Map<string, string>(),
};

describe('the stack plan', () => {
  it('orders services after everything they depend on', () => {
    const order = dependencyOrder({
      nginx: svc({
        depends_on: {
          frontend: { condition: 'service_healthy' },
          backend: { condition: 'service_healthy' },
        },
      }),
      frontend: svc({ depends_on: { backend: { condition: 'service_healthy' } } }),
      backend: svc({
        depends_on: {
          postgres: { condition: 'service_healthy' },
          migrate: { condition: 'service_completed_successfully' },
        },
      }),
      migrate: svc({ depends_on: { postgres: { condition: 'service_healthy' } }, restart: 'no' }),
      postgres: svc(),
    });
    const pos = (name: string): number => order.indexOf(name);
    expect(pos('postgres')).toBeLessThan(pos('migrate'));
    expect(pos('migrate')).toBeLessThan(pos('backend'));
    expect(pos('backend')).toBeLessThan(pos('frontend'));
    expect(pos('frontend')).toBeLessThan(pos('nginx'));
  });

  it('refuses a dependency cycle, naming it', () => {
    expect(() =>
      dependencyOrder({
        a: svc({ depends_on: { b: { condition: 'service_started' } } }),
        b: svc({ depends_on: { a: { condition: 'service_started' } } }),
      }),
    ).toThrow('services: dependency cycle a -> b -> a');
  });

  it('refuses a dependency on a service that does not exist', () => {
    expect(() =>
      dependencyOrder({ a: svc({ depends_on: { ghost: { condition: 'service_started' } } }) }),
    ).toThrow('unknown service "ghost"');
  });

  it('labels containers as compose does, names networks <project>_<name>', () => {
    const plan = planStack(
      compose({ backend: svc({ networks: { back: {}, front: { aliases: ['api'] } } }) }),
      options,
    );
    const backend = plan.services[0];
    expect(backend?.containerName).toBe('medianest-backend-1');
    expect(backend?.labels).toMatchObject({
      'com.docker.compose.project': 'medianest',
      'com.docker.compose.service': 'backend',
      'com.docker.compose.container-number': '1',
      'com.docker.compose.oneoff': 'False',
      'org.medianest.appliance.managed': 'true',
    });
    expect(backend?.networks).toEqual([
      { engineName: 'medianest_back', aliases: ['backend'] },
      { engineName: 'medianest_front', aliases: ['backend', 'api'] },
    ]);
    expect(plan.networks.find((n) => n.name === 'back')).toMatchObject({
      engineName: 'medianest_back',
      internal: true,
    });
  });

  it('mounts secrets at /run/secrets/<target> from files relative to the stack folder', () => {
    const plan = planStack(
      compose({
        backend: svc({ secrets: [{ source: 'backend_jwt_secret', target: 'jwt_secret' }] }),
      }),
      options,
    );
    expect(plan.services[0]?.secretMounts).toEqual([
      {
        source: '/h/stack/secrets/by-service/backend/jwt_secret',
        target: '/run/secrets/jwt_secret',
      },
    ]);
  });

  it('keeps the config hash for an equal definition and changes it with the definition or a mounted file', () => {
    const base = {
      backend: svc({
        environment: { A: '1', B: '2' },
        secrets: [{ source: 'backend_jwt_secret', target: 'jwt_secret' }],
      }),
    };
    const reordered = {
      backend: svc({
        secrets: [{ source: 'backend_jwt_secret', target: 'jwt_secret' }],
        environment: { B: '2', A: '1' },
      }),
    };
    const hash = (c: ComposeFile, hashes = new Map<string, string>()): string | undefined =>
      planStack(c, { ...options, fileHashes: hashes }).services[0]?.configHash;
    expect(hash(compose(base))).toBe(hash(compose(reordered)));
    expect(hash(compose({ backend: svc({ environment: { A: '1', B: '3' } }) }))).not.toBe(
      hash(compose(base)),
    );
    const rotated = new Map([['/h/stack/secrets/by-service/backend/jwt_secret', 'new-hash']]);
    expect(hash(compose(base), rotated)).not.toBe(hash(compose(base)));
  });

  it('derives grace period, one-shot jobs and the healthcheck budget', () => {
    const plan = planStack(
      compose({
        postgres: svc({
          stop_grace_period: '20s',
          healthcheck: {
            test: ['CMD', 'pg_isready'],
            interval: '5s',
            timeout: '3s',
            retries: 5,
            start_period: '10s',
          },
        }),
        migrate: svc({ restart: 'no', depends_on: { postgres: { condition: 'service_healthy' } } }),
      }),
      options,
    );
    const [postgres, migrate] = plan.services;
    expect(postgres).toMatchObject({
      name: 'postgres',
      graceSeconds: 20,
      oneShot: false,
      healthBudgetMs: 10_000 + 8_000 * 6,
    });
    expect(migrate).toMatchObject({ name: 'migrate', oneShot: true, healthBudgetMs: undefined });
  });

  it('does not wait for the health of a service labelled ready-when running (certbot)', () => {
    const healthcheck = {
      test: ['CMD', '/bin/sh', 'certbot-loop.sh', 'health'],
      interval: '60s',
      timeout: '10s',
      retries: 3,
      start_period: '300s',
    };
    const plan = planStack(
      compose({
        certbot: svc({ healthcheck, labels: { [LABEL_READY_WHEN]: 'running' } }),
        nginx: svc({ healthcheck }),
      }),
      options,
    );
    expect(plan.services.find((s) => s.name === 'certbot')?.healthBudgetMs).toBeUndefined();
    expect(plan.services.find((s) => s.name === 'nginx')?.healthBudgetMs).toBe(
      300_000 + 70_000 * 4,
    );
  });
});
