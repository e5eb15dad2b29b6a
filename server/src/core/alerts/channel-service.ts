import type {
  Alert,
  ChannelInput,
  ChannelStatus,
  ChannelTestResult,
  ChannelView,
} from '../../contract/alerts.js';
import { AppError } from '../app-error.js';
import type { AlertStore } from './alert-store.js';
import { webhookRequest, type NotificationChange, type WebhookRequest } from './webhook-format.js';

/** One HTTP POST to a webhook (infra/net). Rejects with a message that holds no URL or token. */
export interface WebhookTransport {
  post(url: string, request: WebhookRequest, timeoutMs: number): Promise<void>;
}

/** A channel as stored in the settings: with its URL. */
export type StoredChannel = ChannelInput & { url: string };

export interface ChannelServiceDeps {
  load: () => StoredChannel[];
  save: (channels: StoredChannel[]) => void;
  store: Pick<AlertStore, 'channelStatus' | 'setChannelStatus'>;
  transport: WebhookTransport;
  now: () => Date;
  /** A channel's delivery failed after its retries (`error`), or works again (undefined). */
  onHealth: (channel: StoredChannel, error: string | undefined) => void;
  /** Waits between attempts: 2 s, then 10 s (3 attempts). */
  retryDelaysMs?: readonly number[];
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const SEVERITY_RANK = { info: 0, warning: 1, critical: 2 } as const;

/** Scheme and host only: a webhook URL's path often is the secret (Discord's token, ntfy's topic). */
export function urlHint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '…';
  }
}

const errorText = (error: unknown): string =>
  error instanceof Error ? error.message : 'the delivery failed';

/**
 * The webhook channels: stored in the settings, delivered with a timeout and retries with back-off.
 * A delivery that still fails is kept in the channel's status and reported (`onHealth`), never
 * dropped silently; the next success clears it.
 */
export class ChannelService {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: ChannelServiceDeps) {}

  list(): ChannelView[] {
    return this.deps.load().map(({ url, ...channel }) => ({
      ...channel,
      urlHint: urlHint(url),
      status: this.deps.store.channelStatus(channel.id),
    }));
  }

  /** Replaces the channels; a new one needs its URL, an existing one keeps its own when omitted. */
  replace(inputs: ChannelInput[]): ChannelView[] {
    const stored = new Map(this.deps.load().map((c) => [c.id, c]));
    const seen = new Set<string>();
    const next = inputs.map((input, i): StoredChannel => {
      if (seen.has(input.id)) {
        throw new AppError('validation_failed', `channels.${i}.id: is used twice`, {
          fields: { [`channels.${i}.id`]: 'is used twice' },
        });
      }
      seen.add(input.id);
      const url = input.url ?? stored.get(input.id)?.url;
      if (!url) {
        const rule = 'is required for a new channel';
        throw new AppError('validation_failed', `channels.${i}.url: ${rule}`, {
          fields: { [`channels.${i}.url`]: rule },
        });
      }
      return { ...input, url };
    });
    this.deps.save(next);
    return this.list();
  }

  /** Sends to every enabled channel that takes this severity (not to the channel it is about). */
  deliver(alert: Alert, change: 'fired' | 'resolved'): void {
    for (const channel of this.deps.load()) {
      if (!channel.enabled) continue;
      if (SEVERITY_RANK[alert.severity] < SEVERITY_RANK[channel.minSeverity]) continue;
      if (change === 'resolved' && !channel.sendResolved) continue;
      if (alert.rule === 'channel-failing' && alert.subject === channel.id) continue;
      // Its outcome lands in the channel's status; nothing is left to reject unhandled.
      const sending = this.sendWithRetries(channel, alert, change)
        .catch(() => undefined)
        .finally(() => {
          this.pending.delete(sending);
        });
      this.pending.add(sending);
    }
  }

  /** One attempt now, with a sample alert; the outcome also goes into the channel's status. */
  async test(id: string): Promise<ChannelTestResult> {
    const channel = this.deps.load().find((c) => c.id === id);
    if (!channel) throw new AppError('not_found', `There is no channel ${id}.`);
    const at = this.deps.now().toISOString();
    const sample: Alert = {
      id: 'test',
      rule: 'service-unhealthy',
      subject: 'test',
      severity: 'info',
      title: 'Notifications from MediaNest Appliance work',
      message: `This is a test sent to the channel "${channel.name}".`,
      page: '/settings',
      state: 'firing',
      firedAt: at,
      resolvedAt: null,
      acknowledgedAt: null,
      notifiedAt: at,
    };
    try {
      await this.attempt(channel, sample, 'test');
      this.record(channel, undefined);
      return { ok: true, at };
    } catch (error) {
      this.record(channel, errorText(error));
      return { ok: false, error: errorText(error), at };
    }
  }

  /** Waits for deliveries under way (at stop). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private attempt(channel: StoredChannel, alert: Alert, change: NotificationChange): Promise<void> {
    return this.deps.transport.post(
      channel.url,
      webhookRequest(channel.kind, alert, change),
      this.deps.timeoutMs ?? 10_000,
    );
  }

  private async sendWithRetries(
    channel: StoredChannel,
    alert: Alert,
    change: 'fired' | 'resolved',
  ): Promise<void> {
    const delays = this.deps.retryDelaysMs ?? [2000, 10_000];
    const sleep =
      this.deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref()));
    let lastError = '';
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (attempt > 0) await sleep(delays[attempt - 1] ?? 0);
      try {
        await this.attempt(channel, alert, change);
        this.record(channel, undefined);
        return;
      } catch (error) {
        lastError = errorText(error);
      }
    }
    this.record(channel, lastError);
  }

  private record(channel: StoredChannel, error: string | undefined): void {
    const at = this.deps.now().toISOString();
    const before = this.deps.store.channelStatus(channel.id);
    const status: ChannelStatus = error
      ? { ...before, failing: true, lastErrorAt: at, lastError: error }
      : { ...before, failing: false, lastSuccessAt: at };
    this.deps.store.setChannelStatus(channel.id, status);
    this.deps.onHealth(channel, error);
  }
}
