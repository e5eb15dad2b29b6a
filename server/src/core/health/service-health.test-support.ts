import type { ServiceHealth } from '../../contract/health.js';

/** A service as the health model reports it: healthy and never restarted, unless `over` says otherwise. */
export const serviceHealth = (
  service: string,
  over: Partial<ServiceHealth> = {},
): ServiceHealth => ({
  service,
  state: 'healthy',
  lastCheck: null,
  restarts: 0,
  startedAt: null,
  exitCode: null,
  oomKilled: false,
  ...over,
});
