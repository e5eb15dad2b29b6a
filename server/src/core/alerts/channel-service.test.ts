import { describe, expect, it } from 'vitest';
import type { Alert } from '../../contract/alerts.js';
import { ChannelService, type StoredChannel, type WebhookTransport } from './channel-service.js';
import { MemoryAlertStore } from './memory-alert-store.test-support.js';
import { webhookRequest, type WebhookRequest } from './webhook-format.js';

const SECRET_URL = 'https://discord.example/api/webhooks/123/s3cr3t-t0ken-value';

const alert: Alert = {
  id: 'a1',
  rule: 'exited-nonzero',
  subject: 'redis',
  severity: 'warning',
  title: 'redis stopped with exit code 137',
  message: 'redis is not running: it exited with code 137.',
  page: '/services/redis',
  state: 'firing',
  firedAt: '2026-06-10T12:00:00.000Z',
  resolvedAt: null,
  acknowledgedAt: null,
  notifiedAt: '2026-06-10T12:00:00.000Z',
};

const channel = (over: Partial<StoredChannel> = {}): StoredChannel => ({
  id: 'phone',
  name: 'Phone',
  kind: 'ntfy',
  url: SECRET_URL,
  enabled: true,
  minSeverity: 'warning',
  sendResolved: true,
  ...over,
});

/** `answers`: 'ok' or the error each attempt fails with, in order. */
function setup(answers: string[], channels = [channel()]) {
  let stored = channels;
  const store = new MemoryAlertStore();
  const posts: Array<{ url: string; request: WebhookRequest }> = [];
  const waits: number[] = [];
  const health: Array<string | undefined> = [];
  const transport: WebhookTransport = {
    post: async (url, request) => {
      posts.push({ url, request });
      const answer = answers.shift() ?? 'ok';
      if (answer !== 'ok') throw new Error(answer);
    },
  };
  const service = new ChannelService({
    load: () => stored,
    save: (next) => {
      stored = next;
    },
    store,
    transport,
    now: () => new Date('2026-06-10T12:00:05Z'),
    onHealth: (_c, error) => health.push(error),
    retryDelaysMs: [1000, 5000],
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return { service, store, posts, waits, health, stored: () => stored };
}

describe('webhook channels', () => {
  it('retry with back-off, then report the failing channel with its last error', async () => {
    const s = setup(['HTTP 500', 'connection refused', 'HTTP 502']);
    s.service.deliver(alert, 'fired');
    await s.service.settle();
    expect(s.posts).toHaveLength(3);
    expect(s.waits).toEqual([1000, 5000]);
    expect(s.health).toEqual(['HTTP 502']);
    expect(s.service.list()[0]?.status).toEqual({
      failing: true,
      lastSuccessAt: null,
      lastErrorAt: '2026-06-10T12:00:05.000Z',
      lastError: 'HTTP 502',
    });
  });

  it('recover on a later success, which clears the failure', async () => {
    const s = setup(['HTTP 500', 'ok']);
    s.service.deliver(alert, 'fired');
    await s.service.settle();
    expect(s.health).toEqual([undefined]);
    expect(s.service.list()[0]?.status).toMatchObject({ failing: false, lastError: null });
  });

  it('skip disabled channels, lower severities, resolutions when not wanted, and the failing channel itself', async () => {
    const s = setup(
      [],
      [
        channel({ id: 'off', enabled: false }),
        channel({ id: 'critical-only', minSeverity: 'critical' }),
        channel({ id: 'no-resolved', sendResolved: false }),
        channel({ id: 'all' }),
      ],
    );
    s.service.deliver(alert, 'resolved');
    s.service.deliver(
      { ...alert, rule: 'channel-failing', subject: 'all', title: 'Notifications to "all" fail' },
      'fired',
    );
    await s.service.settle();
    expect(s.posts.map((p) => p.request.headers.Title)).toEqual([
      'Resolved: redis stopped with exit code 137',
      'Notifications to "all" fail',
    ]);
  });

  it('never show the URL back: a hint with the host only', () => {
    const s = setup([]);
    const [view] = s.service.list();
    expect(view?.urlHint).toBe('https://discord.example/…');
    expect(JSON.stringify(s.service.list())).not.toContain('s3cr3t');
  });

  it('keep the stored URL when an update leaves it out, and name the field when a new one lacks it', () => {
    const s = setup([]);
    const { url: _url, ...withoutUrl } = channel({ name: 'Renamed' });
    s.service.replace([withoutUrl]);
    expect(s.stored()).toMatchObject([{ name: 'Renamed', url: SECRET_URL }]);
    expect(() => s.service.replace([withoutUrl, { ...withoutUrl, id: 'new' }])).toThrow(
      'channels.1.url: is required for a new channel',
    );
    expect(() => s.service.replace([withoutUrl, withoutUrl])).toThrow(
      'channels.1.id: is used twice',
    );
  });

  it('send a test through one channel and keep its outcome', async () => {
    const s = setup(['no answer within 10 s']);
    expect(await s.service.test('phone')).toMatchObject({
      ok: false,
      error: 'no answer within 10 s',
    });
    expect(s.posts).toHaveLength(1);
    expect(s.posts[0]?.request.headers.Title).toBe(
      'Test: Notifications from MediaNest Appliance work',
    );
    expect(await s.service.test('phone')).toMatchObject({ ok: true });
    expect(s.service.list()[0]?.status.failing).toBe(false);
    await expect(s.service.test('nope')).rejects.toThrow('There is no channel nope.');
  });
});

describe('webhook shapes', () => {
  it('ntfy: the message as body, with Title, Priority and Tags headers', () => {
    const r = webhookRequest(
      'ntfy',
      { ...alert, severity: 'critical', title: 'postgres keeps crashing' },
      'fired',
    );
    expect(r.body).toBe(alert.message);
    expect(r.headers).toMatchObject({
      Title: 'postgres keeps crashing',
      Priority: '5',
      Tags: 'rotating_light,exited-nonzero',
    });
    expect(webhookRequest('ntfy', { ...alert, title: 'café ☕' }, 'fired').headers.Title).toBe(
      `=?UTF-8?B?${Buffer.from('café ☕').toString('base64')}?=`,
    );
  });

  it('Discord: { content, embeds } with a colour per severity', () => {
    const body = JSON.parse(webhookRequest('discord', alert, 'fired').body) as {
      content: string;
      embeds: Array<{ title: string; description: string; color: number }>;
    };
    expect(body.content).toBe('**redis stopped with exit code 137**');
    expect(body.embeds[0]).toMatchObject({ description: alert.message, color: 0xf59e0b });
  });

  it('generic: the alert itself as JSON, with what changed', () => {
    const body = JSON.parse(webhookRequest('generic', alert, 'resolved').body) as unknown;
    expect(body).toEqual({ source: 'MediaNest Appliance', change: 'resolved', alert });
  });
});
