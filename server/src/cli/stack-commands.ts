import type { ServiceStatus, StackProgress } from '../contract/stack.js';
import type { PullPolicy } from '../core/stack/config.js';
import { pullPolicyOf, stackConfigStore } from '../core/settings/stack-settings.js';
import type { HomePaths } from '../infra/fs/home.js';
import { openDatabase } from '../infra/store/database.js';
import { SqliteSettings } from '../infra/store/sqlite-settings.js';
import { dropExpiredJwtGrace } from '../app/secrets.js';
import { createStackService } from '../app/stack.js';
import type { ParsedCommand } from './args.js';
import type { CliIo } from './io.js';
import { withJobLock } from './job-lock.js';
import { textTable } from './text-table.js';

function progressPrinter(io: CliIo, json: boolean): (event: StackProgress) => void {
  if (json) return () => undefined;
  return (event) => {
    if (event.type === 'stack.service-progressed' && event.action !== 'failed') {
      const detail = event.detail ? ` (${event.detail})` : '';
      io.stderr(`  ${event.service.padEnd(16)} ${event.action}${detail}`);
    } else if (event.type === 'stack.network-created') {
      io.stderr(`  network ${event.network} created`);
    } else if (event.type === 'stack.image-pulling' && !event.layer) {
      io.stderr(`  ${event.image}: ${event.status}`);
    }
  };
}

function pullPolicy(paths: HomePaths): PullPolicy {
  const db = openDatabase(paths.db);
  try {
    return pullPolicyOf(stackConfigStore(new SqliteSettings(db)).read());
  } finally {
    db.close();
  }
}

export function formatStatus(rows: ServiceStatus[]): string {
  const header = ['SERVICE', 'STATE', 'HEALTH', 'UPTIME', 'RESTARTS', 'PORTS'];
  const uptime = (s: number | null): string =>
    s === null
      ? '-'
      : s < 120
        ? `${s}s`
        : s < 7200
          ? `${Math.round(s / 60)}m`
          : `${Math.round(s / 3600)}h`;
  const table = rows.map((r) => [
    r.service,
    r.state === 'exited' ? `exited (${r.exitCode ?? '?'})` : r.state,
    r.health,
    uptime(r.uptimeSeconds),
    String(r.restarts),
    r.ports.join(', ') || '-',
  ]);
  const notes = rows.flatMap((r) => (r.detail ? [`${r.service}: ${r.detail}`] : []));
  return [textTable(header, table), ...notes].join('\n');
}

/** up, down, start, stop, restart, status. Returns the exit code. */
export function stackCommand(cmd: ParsedCommand, paths: HomePaths, io: CliIo): Promise<number> {
  // Every verb but status holds the job lock (job-lock.ts).
  return withJobLock(paths, cmd, io, () => stackVerb(cmd, paths, io));
}

async function stackVerb(cmd: ParsedCommand, paths: HomePaths, io: CliIo): Promise<number> {
  const json = cmd.values.json === true;
  const stack = createStackService(paths, io.env, progressPrinter(io, json));
  const services = cmd.positionals.length > 0 ? cmd.positionals : undefined;
  const out = (human: string, data: unknown): void =>
    io.stdout(json ? JSON.stringify(data, null, 2) : human);
  switch (cmd.verb) {
    case 'up': {
      // An expired JWT grace period ends at the next up (the old secret stops being accepted).
      await dropExpiredJwtGrace(paths, io.env);
      const result = await stack.up({
        pullPolicy: pullPolicy(paths),
        ...(services ? { services } : {}),
      });
      const changed = [...result.created, ...result.recreated, ...result.started];
      out(
        changed.length === 0 && result.removed.length === 0
          ? 'Up to date: nothing changed.'
          : 'The stack is up.',
        result,
      );
      return 0;
    }
    case 'down': {
      const result = await stack.down();
      out(`Removed ${result.removed.length} container(s) and the networks; data is kept.`, result);
      return 0;
    }
    case 'start':
      await stack.start(services);
      out('Started.', { ok: true });
      return 0;
    case 'stop': {
      const stopped = await stack.stop(services);
      out(`Stopped ${stopped.join(', ') || 'nothing'}.`, { stopped });
      return 0;
    }
    case 'restart':
      await stack.restart(services);
      out('Restarted.', { ok: true });
      return 0;
    default: {
      const rows = await stack.status();
      out(formatStatus(rows), rows);
      return 0;
    }
  }
}
