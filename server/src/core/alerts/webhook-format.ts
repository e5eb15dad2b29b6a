import type { Alert, ChannelKind } from '../../contract/alerts.js';

/** What a channel is told: an alert fired or resolved, or the user's "send a test". */
export type NotificationChange = 'fired' | 'resolved' | 'test';

export interface WebhookRequest {
  headers: Record<string, string>;
  body: string;
}

const PRODUCT = 'MediaNest Appliance';

/** HTTP header values must be Latin-1; anything else goes as RFC 2047 (which ntfy decodes). */
function headerText(text: string): string {
  const oneLine = text.replace(/[\r\n]+/g, ' ').slice(0, 200);
  return /^[\x20-\x7e]*$/.test(oneLine)
    ? oneLine
    : `=?UTF-8?B?${Buffer.from(oneLine, 'utf8').toString('base64')}?=`;
}

const NTFY_PRIORITY = { info: '3', warning: '4', critical: '5' } as const;
const DISCORD_COLOUR = { info: 0x3b82f6, warning: 0xf59e0b, critical: 0xdc2626 } as const;
const RESOLVED_COLOUR = 0x16a34a;

function titleOf(alert: Alert, change: NotificationChange): string {
  if (change === 'resolved') return `Resolved: ${alert.title}`;
  if (change === 'test') return `Test: ${alert.title}`;
  return alert.title;
}

/**
 * The request body and headers for one channel kind: `generic` posts the alert as JSON, `ntfy`
 * posts the message with Title/Priority/Tags headers, `discord` posts `{ content, embeds }`.
 */
export function webhookRequest(
  kind: ChannelKind,
  alert: Alert,
  change: NotificationChange,
): WebhookRequest {
  const title = titleOf(alert, change);
  switch (kind) {
    case 'generic':
      return {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ source: PRODUCT, change, alert }),
      };
    case 'ntfy':
      return {
        headers: {
          'content-type': 'text/plain; charset=utf-8',
          Title: headerText(title),
          Priority: change === 'fired' ? NTFY_PRIORITY[alert.severity] : '2',
          Tags: [
            change === 'resolved'
              ? 'white_check_mark'
              : alert.severity === 'critical'
                ? 'rotating_light'
                : 'warning',
            alert.rule,
          ].join(','),
        },
        body: alert.message,
      };
    case 'discord':
      return {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          content: `**${title}**`.slice(0, 2000),
          embeds: [
            {
              title: title.slice(0, 256),
              description: alert.message.slice(0, 4000),
              color: change === 'resolved' ? RESOLVED_COLOUR : DISCORD_COLOUR[alert.severity],
              timestamp:
                change === 'resolved' ? (alert.resolvedAt ?? alert.firedAt) : alert.firedAt,
              footer: { text: PRODUCT },
            },
          ],
        }),
      };
  }
}
