import type { Alert, AlertRuleId, AlertState, ChannelStatus } from '../../contract/alerts.js';

/** Alert history and channel delivery status; infra/store keeps them in SQLite (bounded). */
export interface AlertStore {
  /** Every firing alert, newest first. */
  firing(): Alert[];
  get(id: string): Alert | undefined;
  /** The newest alert of this rule and subject, firing or not. */
  latest(rule: AlertRuleId, subject: string): Alert | undefined;
  /** Inserts or updates (by id). */
  save(alert: Alert): void;
  /** One page of the history, newest first. */
  page(query: { state?: AlertState; limit: number; offset: number }): {
    alerts: Alert[];
    total: number;
  };
  channelStatus(channelId: string): ChannelStatus;
  setChannelStatus(channelId: string, status: ChannelStatus): void;
}
