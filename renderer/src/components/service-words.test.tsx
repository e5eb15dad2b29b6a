// @vitest-environment happy-dom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiClient, SecretInfo, ServiceHealth, ServiceStatus, StackHealth } from '@contract';
import { ServicePage } from '../pages/ServicePage';
import { useAppStore } from '../state/app-store';
import { useLiveStore } from '../state/live-store';
import { useSettingsStore } from '../state/settings-store';
import { LiveBanner } from './LiveBanner';
import { ServiceCard } from './ServiceCard';
import { SecretsPanel } from './settings/SecretsPanel';

// The live log view opens a server stream; what this file checks is the page around it.
vi.mock('./LogsView', () => ({ LogsView: () => null }));

const MB = 1024 ** 2;
const live = useLiveStore.getState();
const app = useAppStore.getState();
const settings = useSettingsStore.getState();

afterEach(() => {
  cleanup();
  useLiveStore.setState(live, true);
  useAppStore.setState(app, true);
  useSettingsStore.setState(settings, true);
});

const health = (over: Partial<ServiceHealth>): ServiceHealth => ({
  service: 'nginx',
  state: 'healthy',
  lastCheck: 'ok',
  restarts: 0,
  startedAt: '2026-12-07T05:00:00.000Z',
  exitCode: 0,
  oomKilled: false,
  essential: true,
  ...over,
});

const status = (over: Partial<ServiceStatus>): ServiceStatus => ({
  service: 'nginx',
  state: 'running',
  health: 'healthy',
  uptimeSeconds: 60,
  restarts: 0,
  exitCode: 0,
  ports: [],
  image: 'medianest/nginx:local',
  ...over,
});

const stack = (services: ServiceHealth[], over: Partial<StackHealth> = {}): StackHealth => ({
  status: 'healthy',
  reason: 'all services are healthy',
  services,
  at: '2026-12-07T06:00:00.000Z',
  ...over,
});

/** A client that answers the page's history requests with nothing. */
const quietClient = {
  healthHistory: () => Promise.resolve({ changes: [] }),
  resourcesHistory: () => Promise.resolve({ points: [], stepSeconds: 60 }),
} as unknown as ApiClient;

/**
 * What a home user must not have to read: errno codes, command-line flags, environment variable
 * names, shell commands and "run the command again".
 */
function technicalWords(text: string): string[] {
  const patterns = [
    /\bE(?:NOENT|ACCES|CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|PERM|ADDRINUSE)\b/g,
    /(?:^|\s)--[a-z][a-z-]*/g,
    /\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/g,
    /\bsystemctl\b|\bsudo\b/g,
    /run the command/gi,
    /\d+\.\d+\.\d+\.\d+:\d+->\d+/g,
  ];
  return patterns.flatMap((p) => text.match(p) ?? []);
}

function card(over: { status?: Partial<ServiceStatus>; memoryLimit?: number } = {}) {
  return (
    <ServiceCard
      name="nginx"
      health={health({})}
      status={status(over.status ?? {})}
      samples={[
        {
          service: 'nginx',
          at: '2026-12-07T06:00:00.000Z',
          cpuPercent: 12.5,
          memoryBytes: 40 * MB,
          memoryLimitBytes: over.memoryLimit ?? 256 * MB,
          networkRxBytes: 0,
          networkTxBytes: 0,
          blockReadBytes: 0,
          blockWriteBytes: 0,
        },
      ]}
      busy={false}
      overall="healthy"
      waitsFor={[]}
      onAction={() => undefined}
    />
  );
}

describe('a service card', () => {
  it('says who can reach a published port, in words, once per port', () => {
    render(card({ status: { ports: ['0.0.0.0:8620->80/tcp', '[::]:8620->80/tcp'] } }));
    const ports = document.querySelector('[data-field="ports"]')!;
    expect(ports.textContent).toBe('Open to your network on port 8620');
    expect(ports.getAttribute('title')).toMatch(/other devices|home network/);
    cleanup();
    render(card({ status: { ports: ['127.0.0.1:8081->8081/tcp'] } }));
    expect(document.querySelector('[data-field="ports"]')!.textContent).toBe(
      'Only on this computer, port 8081',
    );
    cleanup();
    render(card());
    expect(document.querySelector('[data-field="ports"]')!.textContent).toBe(
      'Not reachable from other devices',
    );
  });

  it("shows what a finished job last said: the schema's migration level", () => {
    const detail = 'schema at 20250301000000_add_requests (3 of 3 migrations applied)';
    render(card({ status: { state: 'exited', exitCode: 0, detail } }));
    expect(document.querySelector('[data-field="detail"]')!.textContent).toBe(detail);
    cleanup();
    render(card());
    expect(document.querySelector('[data-field="detail"]')).toBeNull();
  });

  it('gives CPU as a share of one core, with the dashed line of the charts labelled', () => {
    render(card());
    expect(document.querySelector('[data-field="cpu"]')!.textContent).toBe(
      'CPU 12.5 % of one core',
    );
    expect(screen.getByRole('img', { name: /CPU.*dashed line: one core/ })).toBeTruthy();
    expect(screen.getByRole('img', { name: /memory.*dashed line: limit 256 MB/ })).toBeTruthy();
    expect(screen.getByText('one core (100 %)')).toBeTruthy();
  });

  it('does not say "of 0 B" for a service with no memory limit', () => {
    render(card({ memoryLimit: 0 }));
    expect(document.querySelector('[data-field="memory"]')!.textContent).toBe('Memory 40 MB');
  });

  it('has a tooltip on every figure', () => {
    render(card({ status: { ports: ['0.0.0.0:8620->80/tcp'] } }));
    const figures = [
      ...document.querySelectorAll('.facts dd'),
      ...document.querySelectorAll('.spark-label'),
    ];
    expect(figures).toHaveLength(6);
    for (const figure of figures) expect(figure.getAttribute('title')).toBeTruthy();
  });
});

describe('the service page of the one-shot migrate job', () => {
  const migrate = (over: Partial<ServiceHealth>) =>
    health({ service: 'migrate', state: 'exited', oneShot: true, startedAt: null, ...over });

  function open(job: ServiceHealth) {
    useLiveStore.setState({
      client: quietClient,
      health: stack([job]),
      status: [status({ service: 'migrate', state: 'exited', health: 'none' })],
    });
    render(<ServicePage name="migrate" />);
  }

  it('shows a finished run as done, with nothing to start or stop', () => {
    open(migrate({ exitCode: 0 }));
    const badge = document.querySelector('[data-field="state"]')!;
    expect(badge.textContent).toBe('done');
    expect(badge.className).toContain('badge-ok');
    expect(screen.queryByRole('button', { name: 'Start' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull();
    expect(screen.getByText(/a setup step, not a service/)).toBeTruthy();
  });

  it('shows a non-zero exit as a failure', () => {
    open(migrate({ exitCode: 1 }));
    const badge = document.querySelector('[data-field="state"]')!;
    expect(badge.textContent).toBe('failed');
    expect(badge.className).toContain('badge-fail');
    expect(screen.getByText(/failed \(exit code 1\)/)).toBeTruthy();
  });
});

describe('the service page of a service', () => {
  it('offers Start only when it is stopped, and says its ports in words', () => {
    useLiveStore.setState({
      client: quietClient,
      health: stack([health({ state: 'exited', exitCode: 0, startedAt: null })], {
        status: 'stopped',
      }),
      status: [status({ state: 'exited', ports: ['0.0.0.0:8620->80/tcp'] })],
    });
    render(<ServicePage name="nginx" />);
    expect(document.querySelector('[data-field="state"]')!.textContent).toBe('stopped');
    const actions = screen.getByRole('group', { name: 'nginx actions' });
    expect(within(actions).getByRole('button', { name: 'Start' }).hasAttribute('disabled')).toBe(
      false,
    );
    expect(within(actions).getByRole('button', { name: 'Stop' }).hasAttribute('disabled')).toBe(
      true,
    );
    expect(document.querySelector('[data-field="ports"]')!.textContent).toBe(
      'Open to your network on port 8620',
    );
  });
});

const secret = (name: string, over: Partial<SecretInfo> = {}): SecretInfo => ({
  name,
  modifiedAt: '2026-12-07T05:00:00.000Z',
  ageSeconds: 3600,
  consumers: ['backend'],
  rotatable: true,
  description: `${name.toUpperCase()}: as the catalogue describes it for the CLI.`,
  ...over,
});

describe('the secrets table', () => {
  it('names each secret in plain words, never by its environment or file name', () => {
    const list = [
      secret('postgres_password', { consumers: ['postgres'] }),
      secret('jwt_secret'),
      secret('encryption_key', {
        rotatable: false,
        notRotatableBecause: 'It is encrypted with ENCRYPTION_KEY; rotate postgres_password.',
      }),
      secret('database_url', { rotatable: false, notRotatableBecause: 'rotate postgres_password' }),
    ];
    const client = { secrets: () => Promise.resolve(list) } as unknown as ApiClient;
    useSettingsStore.setState({ secrets: { state: 'ready', list } });
    render(<SecretsPanel client={client} />);
    const rowName = (name: string) =>
      document.querySelector(`[data-secret="${name}"] th`)!.textContent;
    expect(rowName('postgres_password')).toMatch(/^Database password/);
    expect(rowName('jwt_secret')).toMatch(/^Sign-in key/);
    const table = document.querySelector('table.secrets')!.textContent ?? '';
    expect(table).not.toMatch(/postgres_password|jwt_secret|encryption_key|database_url/);
    expect(technicalWords(table)).toEqual([]);
    expect(screen.getByRole('button', { name: 'Rotate Database password' })).toBeTruthy();
  });
});

describe('the Docker banner', () => {
  it('points to the Docker setup help, without shell commands or error codes', () => {
    useLiveStore.setState({
      health: stack([], { status: 'unknown', reason: 'Docker is not running' }),
    });
    render(<LiveBanner />);
    const banner = screen.getByRole('status');
    expect(
      within(banner)
        .getByRole('link', { name: /Set up Docker/ })
        .getAttribute('href'),
    ).toBe('/setup');
    expect(technicalWords(banner.textContent ?? '')).toEqual([]);
  });
});

describe('the words of these screens (a standing check)', () => {
  it('finds the technical words it looks for', () => {
    expect(
      technicalWords(
        'failed (ENOENT): run the command again with --http-port 81, or systemctl start docker; DOCKER_HOST 0.0.0.0:8620->80/tcp',
      ),
    ).toEqual([
      'ENOENT',
      ' --http-port',
      'DOCKER_HOST',
      'systemctl',
      'run the command',
      '0.0.0.0:8620->80',
    ]);
  });

  it('finds none on a service card and the service page', () => {
    useLiveStore.setState({
      client: quietClient,
      health: stack([health({ lastCheck: null })]),
      status: [status({ ports: ['0.0.0.0:8620->80/tcp'] })],
    });
    render(
      <>
        {card({ status: { ports: ['0.0.0.0:8620->80/tcp', '127.0.0.1:9090->9090/tcp'] } })}
        <ServicePage name="nginx" />
      </>,
    );
    expect(technicalWords(document.body.textContent ?? '')).toEqual([]);
  });
});
