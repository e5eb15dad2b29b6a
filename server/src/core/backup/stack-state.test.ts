import { describe, expect, it } from 'vitest';
import type { ServiceExec } from '../service-exec.js';
import type { StreamingExec } from './ports.js';
import { StackState } from './stack-state.js';

/**
 * Redis as the snapshot sees it through redis-cli: LASTSAVE in whole seconds, one background save
 * at a time. Its clock moves 250 ms with every command, so tests do not wait on the real one.
 */
function fakeRedis(options: { lastSave: number; saveRunning?: boolean }) {
  let now = options.lastSave * 1000;
  let lastSave = options.lastSave;
  let running = options.saveRunning ?? false;
  let ours = 0;
  const reply = (args: string[]): string => {
    now += 250;
    const sec = Math.floor(now / 1000);
    switch (args.join(' ')) {
      case 'LASTSAVE':
        return String(lastSave);
      case 'TIME':
        return `${sec}\n${(now % 1000) * 1000}`;
      case 'BGSAVE':
        if (running) {
          // The save someone else started ends while we are told about it.
          running = false;
          lastSave = sec;
          return 'ERR Background save already in progress';
        }
        running = true;
        ours += 1;
        return 'Background saving started';
      case 'INFO persistence':
        if (running) {
          // Reported once as running, then done within the same second it started.
          running = false;
          lastSave = sec;
          return 'rdb_bgsave_in_progress:1\r\nrdb_last_bgsave_status:ok';
        }
        return 'rdb_bgsave_in_progress:0\r\nrdb_last_bgsave_status:ok';
      case 'CONFIG GET dir':
        return 'dir\n/data';
      case 'CONFIG GET dbfilename':
        return 'dbfilename\ndump.rdb';
      case 'CONFIG GET appendonly':
        return 'appendonly\nno';
      case 'INFO keyspace':
        return 'db0:keys=3,expires=0,avg_ttl=0';
      default:
        throw new Error(`unexpected redis command ${args.join(' ')}`);
    }
  };
  const exec = {
    exec: async (_service: string, command: readonly string[]) => ({
      exitCode: 0,
      stdout: `${reply(command.slice(4))}\n`,
      stderr: '',
    }),
  } as unknown as ServiceExec;
  return { state: new StackState(exec, {} as StreamingExec), ourSaves: () => ours };
}

describe('the Redis snapshot', () => {
  it('finishes when the last save was in the same second (LASTSAVE counts whole seconds)', async () => {
    const redis = fakeRedis({ lastSave: 1_700_000_000 });
    await expect(redis.state.redisSnapshot(5_000)).resolves.toEqual({
      path: '/data/dump.rdb',
      appendOnly: false,
      keys: 3,
    });
    expect(redis.ourSaves()).toBe(1);
  });

  it('lets a save already running finish, then takes its own', async () => {
    const redis = fakeRedis({ lastSave: 1_700_000_000, saveRunning: true });
    await expect(redis.state.redisSnapshot(5_000)).resolves.toMatchObject({ keys: 3 });
    expect(redis.ourSaves()).toBe(1);
  });
});
