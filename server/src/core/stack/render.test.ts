import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ComposeFileSchema, durationMs, type Service } from './compose-model.js';
import { PROFILES, type Profile } from '../stack-names.js';
import { ENVIRONMENTS, parseStackConfig, type StackConfig } from './config.js';
import { composeToYaml, envToText, renderStack, type RenderedStack } from './render.js';

const STACK = '/home/ann/.medianest/stack';
const DATA = '/home/ann/.medianest/data';

function config(input: Record<string, unknown>): StackConfig {
  return parseStackConfig(input, { dataDir: DATA });
}

function render(input: Record<string, unknown>): RenderedStack {
  return renderStack(config(input), { stackDir: STACK });
}

/** Every subset of the profiles. */
const PROFILE_SETS: Profile[][] = Array.from({ length: 2 ** PROFILES.length }, (_, mask) =>
  PROFILES.filter((_p, i) => mask & (2 ** i)),
);
const MATRIX = ENVIRONMENTS.flatMap((environment) =>
  PROFILE_SETS.flatMap((profiles) =>
    (profiles.includes('tls') ? [undefined, 'media.example.org'] : [undefined]).map((domain) => ({
      environment,
      profiles,
      ...(domain ? { domain, email: 'admin@example.org' } : {}),
    })),
  ),
);
const label = (c: { environment: string; profiles: string[]; domain?: string }): string =>
  `${c.environment} [${c.profiles.join(',')}]${c.domain ? ' with a domain' : ''}`;

const services = (stack: RenderedStack): Array<[string, Service]> =>
  Object.entries(stack.compose.services);

describe.each(MATRIX.map((c) => [label(c), c] as const))('renderStack %s', (_name, input) => {
  const stack = render(input);
  const yaml = composeToYaml(stack.compose, STACK);

  it('satisfies the compose model and reads back identically', () => {
    expect(ComposeFileSchema.parse(parse(yaml))).toEqual(stack.compose);
  });

  it('hardens every service', () => {
    for (const [name, service] of services(stack)) {
      expect(service.cap_drop, name).toEqual(['ALL']);
      expect(service.security_opt, name).toContain('no-new-privileges:true');
      expect(service.pids_limit, name).toBe(512);
      expect(durationMs(service.stop_grace_period ?? '0s'), name).toBeGreaterThanOrEqual(15_000);
      expect(service.logging?.driver, name).toBe('json-file');
      expect(service.logging?.options['max-size'], name).toMatch(/^\d+m$/);
      expect(service.logging?.options['max-file'], name).toMatch(/^\d+$/);
      const { limits, reservations } = service.deploy?.resources ?? {};
      for (const resources of [limits, reservations]) {
        expect(resources?.cpus, name).toMatch(/^\d+(\.\d+)?$/);
        expect(resources?.memory, name).toMatch(/^\d+[kKmMgG]$/);
      }
      expect(service.user, name).toMatch(/^\d+:\d+$/);
      expect(service.labels, name).toMatchObject({
        'org.medianest.appliance.service': name,
        'org.medianest.appliance.environment': input.environment,
      });
      if (!['pgadmin', 'redis-commander'].includes(name))
        expect(service.read_only, name).toBe(true);
      if (service.user === '0:0') expect(['nginx', 'certbot'], name).toContain(name);
      if (name !== 'nginx') expect(service.cap_add, name).toBeUndefined();
    }
    expect(stack.compose.services.nginx?.cap_add).toEqual([
      'CHOWN',
      'SETUID',
      'SETGID',
      'NET_BIND_SERVICE',
    ]);
  });

  it('health-checks every long-running service; only migrate runs once', () => {
    for (const [name, service] of services(stack)) {
      if (name === 'migrate') {
        expect(service.restart).toBe('no');
        continue;
      }
      expect(service.restart, name).toBe('unless-stopped');
      expect(['CMD', 'CMD-SHELL'], name).toContain(service.healthcheck?.test[0]);
    }
  });

  it('starts in dependency order with the right conditions', () => {
    const s = stack.compose.services;
    expect(s.backend?.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
    });
    expect(s.migrate?.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(s.frontend?.depends_on).toEqual({ backend: { condition: 'service_healthy' } });
    expect(s.nginx?.depends_on).toEqual({
      frontend: { condition: 'service_healthy' },
      backend: { condition: 'service_healthy' },
    });
  });

  it('keeps PostgreSQL and Redis on the internal network, published only on loopback in dev', () => {
    expect(stack.compose.networks['backend']).toMatchObject({ internal: true });
    expect(stack.compose.networks['frontend']?.internal).toBeUndefined();
    for (const name of ['postgres', 'redis'] as const) {
      const service = stack.compose.services[name];
      const ports = service?.ports ?? [];
      if (input.environment === 'dev') {
        expect(ports).toEqual([
          name === 'postgres' ? '127.0.0.1:5432:5432' : '127.0.0.1:6379:6379',
        ]);
        expect(Object.keys(service?.networks ?? {})).toEqual(['backend', 'host-access']);
      } else {
        expect(ports).toEqual([]);
        expect(Object.keys(service?.networks ?? {})).toEqual(['backend']);
      }
    }
    expect(Object.keys(stack.compose.services.backend?.networks ?? {})).toEqual([
      'backend',
      'frontend',
    ]);
    for (const [name, service] of services(stack)) {
      for (const port of service.ports ?? [])
        expect(
          port.startsWith(name === 'nginx' ? '0.0.0.0:' : '127.0.0.1:'),
          `${name} ${port}`,
        ).toBe(true);
    }
  });

  it('keeps test data on tmpfs and everything else under the data folder', () => {
    const { postgres, redis } = stack.compose.services;
    const mounts = (s?: Service): string[] => (s?.volumes ?? []).map((v) => v.target);
    if (input.environment === 'test') {
      expect(postgres?.tmpfs).toContain(
        '/var/lib/postgresql/data:size=512m,uid=70,gid=70,mode=0700',
      );
      expect(postgres?.command).toEqual(
        expect.arrayContaining(['fsync=off', 'synchronous_commit=off', 'full_page_writes=off']),
      );
      expect(mounts(postgres)).not.toContain('/var/lib/postgresql/data');
      expect(redis?.tmpfs).toContain('/data:size=96m,uid=999,gid=1000,mode=0700');
      expect(stack.files.find((f) => f.path === 'config/redis/redis.conf')?.content).toMatch(
        /save ""\nappendonly no/,
      );
      expect(stack.dataDirs.map((d) => d.path)).not.toContain(`${DATA}/postgres`);
    } else {
      expect(mounts(postgres)).toContain('/var/lib/postgresql/data');
      expect(stack.dataDirs).toContainEqual({
        path: `${DATA}/postgres`,
        uid: 70,
        gid: 70,
        mode: 0o700,
      });
      expect(stack.dataDirs).toContainEqual({
        path: `${DATA}/redis`,
        uid: 999,
        gid: 1000,
        mode: 0o700,
      });
      expect(stack.files.find((f) => f.path === 'config/redis/redis.conf')?.content).toContain(
        'appendonly yes',
      );
    }
    for (const [, service] of services(stack)) {
      for (const volume of service.volumes ?? [])
        expect(volume.source.startsWith(`${DATA}/`) || volume.source.startsWith(`${STACK}/`)).toBe(
          true,
        );
    }
  });

  it('mounts every secret a service reads, from a copy owned by its user', () => {
    for (const [name, service] of services(stack)) {
      const mounted = new Set((service.secrets ?? []).map((s) => s.target));
      const text = JSON.stringify([service.environment, service.healthcheck]);
      for (const [, secret] of text.matchAll(/\/run\/secrets\/([a-z_]+)/g))
        expect(mounted, `${name} ${secret}`).toContain(secret);
      for (const { source, target } of service.secrets ?? []) {
        expect(source).toBe(`${name}_${target}`);
        expect(stack.compose.secrets?.[source]).toEqual({
          file: `${STACK}/secrets/by-service/${name}/${target}`,
        });
        const copy = stack.secretCopies.find((c) => c.service === name && c.name === target);
        expect(copy?.uid, `${name}/${target}`).toBe(Number(service.user?.split(':')[0]));
        expect(copy?.gid).toBe(Number(service.user?.split(':')[1]));
      }
    }
    expect(stack.secretCopies.length).toBe(Object.keys(stack.compose.secrets ?? {}).length);
  });

  it('writes no $ anywhere, so compose interpolation changes nothing', () => {
    expect(yaml).not.toContain('$');
    expect(envToText(stack.env)).not.toContain('$');
  });

  it('is deterministic', () => {
    const again = render(input);
    expect(composeToYaml(again.compose, STACK)).toBe(yaml);
    expect(again.files).toEqual(stack.files);
    expect(again.env).toEqual(stack.env);
  });
});

describe('renderStack options', () => {
  it('renders only the services of the enabled profiles', () => {
    const names = (input: Record<string, unknown>): string[] =>
      Object.keys(render(input).compose.services);
    expect(names({})).toEqual(['postgres', 'redis', 'migrate', 'backend', 'frontend', 'nginx']);
    expect(names({ profiles: ['tls'] })).not.toContain('certbot');
    expect(
      names({ profiles: ['tls'], domain: 'media.example.org', email: 'a@example.org' }),
    ).toContain('certbot');
    expect(names({ profiles: ['monitoring'] })).toEqual(
      expect.arrayContaining(['prometheus', 'grafana']),
    );
    expect(names({ profiles: ['devtools'] })).toEqual(
      expect.arrayContaining(['pgadmin', 'redis-commander', 'mailhog']),
    );
  });

  it('serves HTTPS on the chosen port with the right certificate sources', () => {
    const stack = render({
      profiles: ['tls'],
      domain: 'media.example.org',
      email: 'a@example.org',
      httpPort: 8080,
      httpsPort: 8443,
    });
    const nginx = stack.compose.services.nginx;
    expect(nginx?.ports).toEqual(['0.0.0.0:8080:80', '0.0.0.0:8443:443']);
    expect(nginx?.secrets).toEqual([
      { source: 'nginx_tls_self_signed', target: 'tls_self_signed' },
    ]);
    expect(nginx?.environment?.['DOMAIN_NAME']).toBe('media.example.org');
    const file = (path: string): string => stack.files.find((f) => f.path === path)?.content ?? '';
    expect(file('config/nginx/servers/http.conf')).toContain(
      'return 301 https://$host:8443$request_uri;',
    );
    expect(file('config/nginx/servers/https.conf')).toContain('server_name media.example.org;');
    expect(stack.compose.services.backend?.environment?.['FRONTEND_URL']).toBe(
      'https://media.example.org:8443',
    );
    expect(stack.compose.services.frontend?.environment?.['NEXT_PUBLIC_WS_URL']).toBe(
      'wss://media.example.org:8443',
    );
    expect(stack.compose.services.certbot?.environment).toMatchObject({
      DOMAIN_NAME: 'media.example.org',
      CERTBOT_EMAIL: 'a@example.org',
    });
  });

  it('serves plain HTTP without the tls profile', () => {
    const stack = render({ httpPort: 8080 });
    expect(stack.files.map((f) => f.path)).not.toContain('config/nginx/servers/https.conf');
    expect(stack.compose.services.nginx?.ports).toEqual(['0.0.0.0:8080:80']);
    expect(stack.compose.services.frontend?.environment?.['NEXT_PUBLIC_API_URL']).toBe(
      'http://localhost:8080/api',
    );
    expect(stack.env).toEqual({
      COMPOSE_PROJECT_NAME: 'medianest',
      MEDIANEST_ENVIRONMENT: 'prod',
      MEDIANEST_PROFILES: '',
      MEDIANEST_PUBLIC_URL: 'http://localhost:8080',
      MEDIANEST_DATA_DIR: DATA,
    });
  });

  it('applies resource overrides, lowering reservations and tuning PostgreSQL and Redis', () => {
    const stack = render({
      resources: { postgres: { memory: '2g' }, redis: { memory: '100m', cpus: 0.05 } },
    });
    expect(stack.compose.services.postgres?.deploy?.resources.limits).toEqual({
      cpus: '1.0',
      memory: '2g',
    });
    expect(stack.compose.services.postgres?.command).toEqual(
      expect.arrayContaining(['shared_buffers=512MB', 'effective_cache_size=1536MB']),
    );
    expect(stack.compose.services.redis?.deploy?.resources).toEqual({
      limits: { cpus: '0.05', memory: '100m' },
      reservations: { cpus: '0.05', memory: '100m' },
    });
    expect(stack.files.find((f) => f.path === 'config/redis/redis.conf')?.content).toContain(
      'maxmemory 75mb',
    );
  });

  it('labels a service with a hash of the files it mounts', () => {
    const hash = (s: RenderedStack, name: 'nginx' | 'backend'): string | undefined =>
      s.compose.services[name]?.labels?.['org.medianest.appliance.files-hash'];
    const plain = render({});
    const tls = render({ profiles: ['tls'] });
    expect(hash(plain, 'nginx')).toMatch(/^[0-9a-f]{64}$/);
    expect(hash(tls, 'nginx')).not.toBe(hash(plain, 'nginx'));
    expect(hash(tls, 'backend')).toBe(hash(plain, 'backend'));
  });

  it('makes shims executable and configuration readable', () => {
    for (const file of render({
      profiles: [...PROFILES],
      domain: 'media.example.org',
      email: 'a@example.org',
    }).files) {
      expect(file.mode, file.path).toBe(file.path.startsWith('shims/') ? 0o755 : 0o644);
      expect(file.content, file.path).not.toMatch(/\{\{/);
    }
  });

  it('refuses a stack folder compose could misread', () => {
    expect(() => renderStack(config({}), { stackDir: '/home/$USER/stack' })).toThrowError(
      /^stackDir: must not contain "\$"$/,
    );
    expect(() => renderStack(config({}), { stackDir: 'stack' })).toThrowError(
      /^stackDir: must be an absolute path/,
    );
  });
});
