/**
 * The health history's composition root: records the bus's `service.state-changed` events that
 * are transitions (state, exit, deep-check verdict) into appliance.db, masked and trimmed, and
 * serves them to the health-history route.
 */
import type { DomainEvent } from '../contract/events.js';
import type {
  HealthHistoryEntry,
  HealthHistoryPage,
  HealthHistoryQuery,
} from '../contract/health-history-routes.js';
import type { ServiceHealth } from '../contract/health.js';
import { createMasker } from '../core/logs/mask.js';
import { secretValues } from '../core/stack/stack-files.js';
import type { HomePaths } from '../infra/fs/home.js';
import { NodeFileSystem } from '../infra/fs/node-file-system.js';
import type { Db } from '../infra/store/database.js';
import {
  SqliteHealthHistory,
  type HealthHistoryBounds,
} from '../infra/store/sqlite-health-history.js';

/** Check output kept per entry at most (characters, after masking). */
export const HEALTH_OUTPUT_MAX = 500;

export interface HealthHistoryDeps {
  db: Db;
  subscribe: (listener: (event: DomainEvent) => void) => () => void;
  /** The secret values to mask in check output; the stack's secrets folder when omitted. */
  secrets?: () => Promise<string[]>;
  paths?: HomePaths;
  /** More values to mask (the server's token, sessions). */
  extraSecrets?: () => string[];
  now?: () => Date;
  bounds?: Partial<HealthHistoryBounds>;
  onError?: (error: unknown) => void;
}

export interface HealthHistory {
  api: { page(query: HealthHistoryQuery): HealthHistoryPage };
  start(): void;
  /** Stops listening; resolves once the events already received are written. */
  stop(): Promise<void>;
}

const trim = (text: string): string =>
  text.length > HEALTH_OUTPUT_MAX ? `${text.slice(0, HEALTH_OUTPUT_MAX - 1)}…` : text;

/** Whether `next` differs from the last stored entry in a way the history shows. */
function isTransition(last: HealthHistoryEntry | undefined, next: ServiceHealth): boolean {
  if (!last) return true;
  return (
    last.state !== next.state ||
    last.exitCode !== next.exitCode ||
    last.oomKilled !== next.oomKilled ||
    (last.deepCheck?.ok ?? null) !== (next.deepCheck?.ok ?? null)
  );
}

export function createHealthHistory(deps: HealthHistoryDeps): HealthHistory {
  const store = new SqliteHealthHistory(deps.db, deps.bounds);
  const fs = new NodeFileSystem();
  const secrets = async (): Promise<string[]> => [
    ...(deps.secrets
      ? await deps.secrets()
      : deps.paths
        ? await secretValues(fs, deps.paths.secretsDir)
        : []),
    ...(deps.extraSecrets?.() ?? []),
  ];
  const now = deps.now ?? (() => new Date());
  let unsubscribe: (() => void) | undefined;
  // Written one after another, so ids follow the events' order.
  let queue: Promise<void> = Promise.resolve();

  const record = async (health: ServiceHealth, previous: ServiceHealth['state'] | null) => {
    if (!isTransition(store.latest(health.service), health)) return;
    const mask = createMasker(await secrets());
    const shown = (text: string): string => trim(mask(text));
    store.add({
      service: health.service,
      state: health.state,
      previous,
      lastCheck: health.lastCheck === null ? null : shown(health.lastCheck),
      exitCode: health.exitCode,
      oomKilled: health.oomKilled,
      deepCheck: health.deepCheck
        ? { ok: health.deepCheck.ok, output: shown(health.deepCheck.output) }
        : null,
      at: now().toISOString(),
    });
  };

  return {
    api: { page: ({ service, limit, before }) => store.page(service, limit, before) },
    start() {
      if (unsubscribe) return;
      unsubscribe = deps.subscribe((event) => {
        if (event.type !== 'service.state-changed') return;
        queue = queue
          .then(() => record(event.service, event.previous))
          .catch((error: unknown) => deps.onError?.(error));
      });
    },
    async stop() {
      unsubscribe?.();
      unsubscribe = undefined;
      await queue;
    },
  };
}
