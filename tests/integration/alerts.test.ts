/**
 * Alerts on the rig, through a real server watching the whole stack: killing redis, stopping the
 * backend, making redis unhealthy, OOM-killing the frontend (a tiny memory limit) and the crash
 * loop that follows each give the right service state, overall status, alert and tray, and all
 * resolve once fixed. Webhook channels (generic, ntfy, Discord) receive the alerts on a local
 * receiver; a channel answering 500 and one on a closed port are reported, never dropped.
 */
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../server/src/contract/alerts.js';
import type { ServerEvent } from '../../server/src/contract/events.js';
import { execInService } from './support/service-exec.js';
import { installAndWatch, type WatchedStack } from './support/installed-stack.js';
import { rigDocker, rigEnv } from './support/rig.js';

const PROJECT = `mnalerts${Date.now().toString(36)}`;
const LABEL = `com.docker.compose.project=${PROJECT}`;
const rig = rigEnv();
const docker = rigDocker(rig);
const DISCORD_TOKEN = 'discordTokenThatMustNeverShow0123456789';
const NTFY_TOPIC = 'mn-alerts-private-topic-7f3a9c';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
const received: Received[] = [];
let receiver: Server;
let receiverUrl = '';
let closedPortUrl = '';
let stack: WatchedStack;

type AlertChanged = Extract<ServerEvent, { type: 'alert.changed' }>;
type TrayChanged = Extract<ServerEvent, { type: 'tray.changed' }>;
type StatusChanged = Extract<ServerEvent, { type: 'stack.status-changed' }>;
type StateChanged = Extract<ServerEvent, { type: 'service.state-changed' }>;

const since =
  (mark: number) =>
  (e: ServerEvent): boolean =>
    stack.recorder.events.indexOf(e) >= mark;

function alertEvent(
  mark: number,
  change: AlertChanged['change'],
  rule: Alert['rule'],
  subject: string,
  timeoutMs = 90_000,
): Promise<AlertChanged> {
  return stack.recorder.waitFor(
    (e): e is AlertChanged =>
      since(mark)(e) &&
      e.type === 'alert.changed' &&
      e.change === change &&
      e.alert.rule === rule &&
      e.alert.subject === subject,
    timeoutMs,
  );
}

const serviceState = (mark: number, service: string, state: string): Promise<StateChanged> =>
  stack.recorder.waitFor(
    (e): e is StateChanged =>
      since(mark)(e) &&
      e.type === 'service.state-changed' &&
      e.service.service === service &&
      e.service.state === state,
    90_000,
  );

const trayWith = (mark: number, match: (t: TrayChanged) => boolean): Promise<TrayChanged> =>
  stack.recorder.waitFor(
    (e): e is TrayChanged => since(mark)(e) && e.type === 'tray.changed' && match(e),
    90_000,
  );

/** The stack is healthy again and the tray lists nothing (every alert of the fault resolved). */
async function backToHealthy(mark: number): Promise<void> {
  await stack.recorder.waitFor(
    (e): e is StatusChanged =>
      since(mark)(e) && e.type === 'stack.status-changed' && e.status === 'healthy',
    120_000,
  );
  const tray = await trayWith(mark, (t) => t.state === 'healthy' && t.problems.length === 0);
  expect(tray.tooltip).toContain('healthy');
}

function startReceiver(): Promise<void> {
  receiver = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.statusCode = req.url === '/fail' ? 500 : 200;
      res.end();
    });
  });
  return new Promise((resolve) =>
    receiver.listen(0, '127.0.0.1', () => {
      receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      resolve();
    }),
  );
}

/** A port that was free a moment ago and is closed now: connections to it are refused. */
async function closedPort(): Promise<string> {
  const probe = createHttpServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return `http://127.0.0.1:${port}/hook`;
}

beforeAll(async () => {
  await startReceiver();
  closedPortUrl = await closedPort();
  stack = await installAndWatch(docker, rig, PROJECT, {
    alerts: { tickMs: 500, resolveHoldMs: 2000, retryDelaysMs: [100, 300], webhookTimeoutMs: 3000 },
  });
  await stack.client.updateAlertSettings({
    serviceUnhealthy: { afterSeconds: 2 },
    exitedNonZero: { afterSeconds: 1 },
    serviceStopped: { afterSeconds: 1 },
    crashLoop: { restarts: 3, withinSeconds: 40 },
    // Not what this file is about, and the rig's disk is not the user's.
    diskLow: { enabled: false },
    memoryHigh: { enabled: false },
    backupStale: { enabled: false },
  });
  await stack.client.updateAlertChannels({
    channels: [
      { id: 'generic', name: 'Home automation', kind: 'generic', url: `${receiverUrl}/generic` },
      { id: 'phone', name: 'Phone', kind: 'ntfy', url: `${receiverUrl}/${NTFY_TOPIC}` },
      {
        id: 'discord',
        name: 'Discord',
        kind: 'discord',
        url: `${receiverUrl}/api/webhooks/42/${DISCORD_TOKEN}`,
      },
    ],
  });
});

afterAll(async () => {
  await stack?.remove();
  await new Promise((r) => receiver.close(r));
});

describe('alerts from real faults', () => {
  it('killing redis: exited, MediaNest down, a critical alert on the desktop and every webhook, in the tray; resolved when started', async () => {
    const mark = stack.recorder.events.length;
    await (await stack.containerOf('redis')).kill();
    await serviceState(mark, 'redis', 'exited');
    const fired = await alertEvent(mark, 'fired', 'exited-nonzero', 'redis');
    expect(fired.alert).toMatchObject({
      title: 'redis stopped with exit code 137',
      state: 'firing',
    });
    // Redis is a service MediaNest needs: down, not degraded.
    expect((await stack.client.stackHealth({})).status).toBe('down');
    const raised = await stack.recorder.waitFor(
      (e): e is Extract<ServerEvent, { type: 'alert.raised' }> =>
        since(mark)(e) && e.type === 'alert.raised' && e.alertId === fired.alert.id,
      10_000,
    );
    expect(raised).toMatchObject({ severity: 'critical', page: '/services/redis' });
    const tray = await trayWith(mark, (t) => t.problems.includes(fired.alert.title));
    expect(tray.state).toBe('down');

    // Each channel got it in its own shape.
    const until = async (check: () => boolean): Promise<void> => {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
    };
    const forAlert = (path: string): Received | undefined =>
      received.find((r) => r.path === path && r.body.includes('exit code 137'));
    const ntfyMessage = (): Received | undefined =>
      received.find((r) => r.path === `/${NTFY_TOPIC}` && r.headers['title'] === fired.alert.title);
    await until(() =>
      Boolean(
        forAlert('/generic') && ntfyMessage() && forAlert(`/api/webhooks/42/${DISCORD_TOKEN}`),
      ),
    );
    const generic = JSON.parse(forAlert('/generic')?.body ?? '{}') as {
      change: string;
      alert: Alert;
    };
    expect(generic).toMatchObject({
      change: 'fired',
      alert: { id: fired.alert.id, rule: 'exited-nonzero' },
    });
    expect(ntfyMessage()?.headers).toMatchObject({
      priority: '5',
      tags: 'rotating_light,exited-nonzero',
    });
    expect(ntfyMessage()?.body).toBe(fired.alert.message);
    const discord = JSON.parse(forAlert(`/api/webhooks/42/${DISCORD_TOKEN}`)?.body ?? '{}') as {
      content: string;
      embeds: Array<{ title: string; description: string }>;
    };
    expect(discord.content).toBe(`**${fired.alert.title}**`);
    expect(discord.embeds[0]).toMatchObject({ description: fired.alert.message });

    const back = stack.recorder.events.length;
    await (await stack.containerOf('redis')).start();
    const resolved = await alertEvent(back, 'resolved', 'exited-nonzero', 'redis');
    expect(resolved.alert.id).toBe(fired.alert.id);
    await backToHealthy(back);
    const list = await stack.client.alerts({});
    expect(list.firing).toEqual([]);
    expect(list.history.find((a) => a.id === fired.alert.id)).toMatchObject({ state: 'resolved' });
    await until(() =>
      received.some((r) => r.headers['title'] === `Resolved: ${fired.alert.title}`),
    );
    expect(received.some((r) => r.headers['title'] === `Resolved: ${fired.alert.title}`)).toBe(
      true,
    );
  });

  it('stopping the backend: stopped, MediaNest down, an alert and the tray; resolved when started', async () => {
    const mark = stack.recorder.events.length;
    await (await stack.containerOf('backend')).stop({ t: 15 });
    const state = await serviceState(mark, 'backend', 'exited');
    const fired = await alertEvent(mark, 'fired', 'service-stopped', 'backend');
    expect(state.service.exitCode).toBe(0);
    expect(fired.alert.title).toBe('backend is stopped');
    expect((await stack.client.stackHealth({})).status).toBe('down');
    await trayWith(mark, (t) => t.state === 'down' && t.problems.includes('backend is stopped'));
    // The user has seen it: acknowledged, it keeps firing until the backend runs again.
    const acked = await stack.client.acknowledgeAlert({ id: fired.alert.id });
    expect(acked).toMatchObject({ state: 'firing', acknowledgedAt: expect.any(String) as string });

    const back = stack.recorder.events.length;
    await (await stack.containerOf('backend')).start();
    await alertEvent(back, 'resolved', 'service-stopped', 'backend');
    await backToHealthy(back);
  });

  it('redis failing its health check: unhealthy, MediaNest down, an alert after N s; resolved when it answers again', async () => {
    const mark = stack.recorder.events.length;
    const redis = (command: string): Promise<unknown> =>
      execInService(docker, LABEL, 'redis', ['sh', '-c', command]);
    // Its health check still uses the password file, which no longer opens it.
    await redis(
      'REDISCLI_AUTH=`cat /run/secrets/redis_password` redis-cli CONFIG SET requirepass wrongforthetest0',
    );
    try {
      await serviceState(mark, 'redis', 'unhealthy');
      const fired = await alertEvent(mark, 'fired', 'service-unhealthy', 'redis');
      expect(fired.alert.title).toBe('redis is unhealthy');
      expect((await stack.client.stackHealth({})).status).toBe('down');
      await trayWith(mark, (t) => t.state === 'down' && t.problems.includes('redis is unhealthy'));
    } finally {
      await redis(
        'REDISCLI_AUTH=wrongforthetest0 redis-cli CONFIG SET requirepass "`cat /run/secrets/redis_password`"',
      );
    }
    const back = stack.recorder.events.length;
    await alertEvent(back, 'resolved', 'service-unhealthy', 'redis');
    await backToHealthy(back);
  });

  it('the frontend OOM-killed by a tiny memory limit, then crash-looping: both alerts; resolved with its limit back', async () => {
    const frontend = await stack.containerOf('frontend');
    const { HostConfig } = await frontend.inspect();
    const limits = {
      Memory: HostConfig.Memory,
      MemoryReservation: HostConfig.MemoryReservation,
      MemorySwap: HostConfig.MemorySwap,
    };
    const mark = stack.recorder.events.length;
    // A stopped container takes any limit; at its next start Node cannot fit in 12 MB.
    await frontend.stop({ t: 10 });
    const tiny = 12 * 1024 * 1024;
    await frontend.update({ Memory: tiny, MemoryReservation: 6 * 1024 * 1024, MemorySwap: tiny });
    await frontend.start();
    try {
      const oom = await alertEvent(mark, 'fired', 'oom-killed', 'frontend');
      expect(oom.alert.title).toBe('frontend ran out of memory');
      const loop = await alertEvent(mark, 'fired', 'crash-loop', 'frontend');
      expect(loop.alert.severity).toBe('critical');
      const health = await stack.client.stackHealth({});
      // Without its web front end MediaNest cannot be used.
      expect(health.status).toBe('down');
      expect(
        health.services.find((s) => s.service === 'frontend')?.restarts,
      ).toBeGreaterThanOrEqual(3);
      await trayWith(mark, (t) => t.problems.includes('frontend keeps crashing'));
    } finally {
      await frontend.update(limits);
    }
    // The engine's next restart fits again; the crash loop clears once its window is past.
    const back = stack.recorder.events.length;
    await alertEvent(back, 'resolved', 'oom-killed', 'frontend', 150_000);
    await alertEvent(back, 'resolved', 'crash-loop', 'frontend', 150_000);
    await backToHealthy(back);
  });
});

describe('webhook channels that fail', () => {
  it('are reported with their last error, as an alert, and never show their URL', async () => {
    const mark = stack.recorder.events.length;
    const current = (await stack.client.alertChannels({})).map(
      ({ urlHint: _u, status: _s, ...c }) => c,
    );
    await stack.client.updateAlertChannels({
      channels: [
        ...current,
        { id: 'broken', name: 'Broken', kind: 'generic', url: `${receiverUrl}/fail` },
        { id: 'gone', name: 'Gone', kind: 'ntfy', url: closedPortUrl },
      ],
    });
    expect(await stack.client.testAlertChannel({ id: 'broken' })).toMatchObject({
      ok: false,
      error: 'HTTP 500 Internal Server Error',
    });
    expect(await stack.client.testAlertChannel({ id: 'gone' })).toMatchObject({
      ok: false,
      error: 'connection refused',
    });
    expect(await stack.client.testAlertChannel({ id: 'phone' })).toMatchObject({ ok: true });
    const failing = await alertEvent(mark, 'fired', 'channel-failing', 'broken', 10_000);
    expect(failing.alert.message).toContain('HTTP 500');
    await alertEvent(mark, 'fired', 'channel-failing', 'gone', 10_000);

    // A real alert: delivered to the good channels, the failing ones keep their error.
    const stopMark = stack.recorder.events.length;
    await (await stack.containerOf('backend')).stop({ t: 15 });
    await alertEvent(stopMark, 'fired', 'service-stopped', 'backend');
    const deadline = Date.now() + 20_000;
    let channels = await stack.client.alertChannels({});
    while (
      Date.now() < deadline &&
      !channels.some(
        (c) =>
          c.id === 'broken' && c.status.lastErrorAt && c.status.lastErrorAt > failing.alert.firedAt,
      )
    ) {
      await new Promise((r) => setTimeout(r, 200));
      channels = await stack.client.alertChannels({});
    }
    expect(channels.find((c) => c.id === 'broken')?.status).toMatchObject({
      failing: true,
      lastError: 'HTTP 500 Internal Server Error',
    });
    expect(channels.find((c) => c.id === 'gone')?.status).toMatchObject({
      failing: true,
      lastError: 'connection refused',
    });
    expect(channels.find((c) => c.id === 'generic')?.status).toMatchObject({ failing: false });
    const shown = JSON.stringify(channels);
    expect(shown).not.toContain(DISCORD_TOKEN);
    expect(shown).not.toContain(NTFY_TOPIC);
    expect(channels.find((c) => c.id === 'discord')?.urlHint).toBe(`${receiverUrl}/…`);

    // Removing them resolves their alerts; the backend comes back.
    const back = stack.recorder.events.length;
    await stack.client.updateAlertChannels({ channels: current });
    await alertEvent(back, 'resolved', 'channel-failing', 'broken', 20_000);
    await alertEvent(back, 'resolved', 'channel-failing', 'gone', 20_000);
    await (await stack.containerOf('backend')).start();
    await backToHealthy(back);
  });

  it('refuse a URL that is not http(s), naming the field', async () => {
    await expect(
      stack.client.updateAlertChannels({
        channels: [{ id: 'x', name: 'X', kind: 'generic', url: 'file:///etc/passwd' }],
      }),
    ).rejects.toMatchObject({
      status: 422,
      message: 'channels.0.url: must be an http:// or https:// URL',
    });
    await expect(
      stack.client.updateAlertSettings({ crashLoop: { restarts: 1 } }),
    ).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('crashLoop.restarts') as string,
    });
    expect((await stack.client.alertChannels({})).map((c) => c.id)).toEqual([
      'generic',
      'phone',
      'discord',
    ]);
  });
});
