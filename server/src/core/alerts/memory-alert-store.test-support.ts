import type { Alert, AlertRuleId, AlertState, ChannelStatus } from '../../contract/alerts.js';
import type { AlertStore } from './alert-store.js';

/** An AlertStore in memory, for unit tests of the engine and the channels. */
export class MemoryAlertStore implements AlertStore {
  readonly alerts: Alert[] = [];
  readonly statuses = new Map<string, ChannelStatus>();

  firing(): Alert[] {
    return this.alerts.filter((a) => a.state === 'firing').reverse();
  }

  get(id: string): Alert | undefined {
    return this.alerts.find((a) => a.id === id);
  }

  latest(rule: AlertRuleId, subject: string): Alert | undefined {
    return [...this.alerts].reverse().find((a) => a.rule === rule && a.subject === subject);
  }

  save(alert: Alert): void {
    const i = this.alerts.findIndex((a) => a.id === alert.id);
    if (i >= 0) this.alerts[i] = alert;
    else this.alerts.push(alert);
  }

  page(q: { state?: AlertState; limit: number; offset: number }): {
    alerts: Alert[];
    total: number;
  } {
    const all = [...this.alerts].reverse().filter((a) => !q.state || a.state === q.state);
    return { alerts: all.slice(q.offset, q.offset + q.limit), total: all.length };
  }

  channelStatus(id: string): ChannelStatus {
    return (
      this.statuses.get(id) ?? {
        failing: false,
        lastSuccessAt: null,
        lastErrorAt: null,
        lastError: null,
      }
    );
  }

  setChannelStatus(id: string, status: ChannelStatus): void {
    this.statuses.set(id, status);
  }
}
