import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DomainEvent } from '../../contract/events.js';
import { EngineUnavailableError } from '../docker-gateway.js';
import { EngineWatcher, findAnsweringEngine } from './engine-watcher.js';

afterEach(() => vi.useRealTimers());

function setup(answers: Array<string | undefined>) {
  const events: DomainEvent[] = [];
  let i = 0;
  const probe = vi.fn(async () => answers[Math.min(i++, answers.length - 1)]);
  const watcher = new EngineWatcher({
    probe,
    publish: (e) => events.push(e),
    now: () => new Date('2026-12-07T06:00:00Z'),
    absentMs: 1000,
    presentMs: 5000,
  });
  return { watcher, events, probe };
}

describe('the engine watcher', () => {
  it('says nothing at the first look, then "appeared" and "went away" as they happen', async () => {
    const { watcher, events } = setup([undefined, undefined, 'unix:///a.sock', undefined]);
    await watcher.look();
    await watcher.look();
    expect(events).toEqual([]);
    await watcher.look();
    expect(events).toEqual([
      { type: 'engine.appeared', endpoint: 'unix:///a.sock', at: '2026-12-07T06:00:00.000Z' },
    ]);
    expect(watcher.endpoint).toBe('unix:///a.sock');
    await watcher.look();
    expect(events.at(-1)).toEqual({
      type: 'engine.went-away',
      endpoint: 'unix:///a.sock',
      at: '2026-12-07T06:00:00.000Z',
    });
  });

  it('looks often while no engine answers and seldom while one does', async () => {
    vi.useFakeTimers();
    const { watcher, probe } = setup([undefined, undefined, 'unix:///a.sock']);
    watcher.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(probe).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(probe).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(4000);
    expect(probe).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(1000);
    expect(probe).toHaveBeenCalledTimes(4);
    await watcher.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(probe).toHaveBeenCalledTimes(4);
  });

  it('tries only an explicit DOCKER_HOST, and answers undefined when it does not answer', async () => {
    const tried: string[] = [];
    const found = await findAnsweringEngine(
      {
        env: { DOCKER_HOST: 'unix:///missing.sock' },
        platform: 'linux',
        homeDir: '/home/ann',
        uid: 1000,
        probe: {
          isSocket: (p) => p === '/var/run/docker.sock',
          readText: () => undefined,
          listDir: () => [],
          realPath: (p) => p,
        },
      },
      (endpoint) => ({
        endpoint,
        ping: async () => {
          tried.push(endpoint);
          if (endpoint.includes('missing'))
            throw new EngineUnavailableError(endpoint, 'not-found', 'ENOENT');
        },
        version: () => Promise.reject(new Error('unused')),
        info: () => Promise.reject(new Error('unused')),
      }),
    );
    expect(found).toBeUndefined();
    expect(tried).toEqual(['unix:///missing.sock']);
  });
});
