// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError, type ApiClient } from '@contract';
import { useLiveStore } from './live-store';

const initial = useLiveStore.getState();
beforeEach(() => useLiveStore.setState(initial, true));

const refusing = (error: Error) =>
  ({ stackAction: () => Promise.reject(error) }) as unknown as ApiClient;

describe('an action the server refuses', () => {
  it('says what to do in the UI’s words when Docker cannot be reached', async () => {
    const cli = new ApiError(
      'engine_unavailable',
      'The Docker engine cannot be reached (ENOENT). Start it, check `medianest-appliance doctor`, then run the command again.',
      503,
    );
    useLiveStore.setState({ client: refusing(cli) });
    await useLiveStore.getState().runAction('start', []);
    const shown = useLiveStore.getState().actionError ?? '';
    expect(shown).toBe(
      'Docker is not reachable, so nothing can be started or stopped. Start Docker, then try again.',
    );
    expect(shown).not.toMatch(/ENOENT|medianest-appliance|command/);
  });

  it('keeps the server’s own words for other refusals (another job running)', async () => {
    const busy = new ApiError(
      'busy',
      'Busy with backup (job 1); try again when it has finished.',
      409,
    );
    useLiveStore.setState({ client: refusing(busy) });
    await useLiveStore.getState().runAction('stop', ['redis']);
    expect(useLiveStore.getState().actionError).toBe(busy.message);
  });
});

/** A client answering `answers`; every other call fails, as the cards around them may. */
const clientOf = (answers: Record<string, () => Promise<unknown>>): ApiClient =>
  new Proxy(answers, {
    get: (target, name: string) =>
      target[name] ?? (() => Promise.reject(new Error(`${name}: not in this test`))),
  }) as unknown as ApiClient;

describe('loading the stack before anything is installed', () => {
  it('shows no error banner: not installed is the setup page’s state, not a failure', async () => {
    const notInstalled = new ApiError(
      'conflict',
      'There is no stack at /home/x/stack yet: run `medianest-appliance init` first.',
      409,
      { notInstalled: true },
    );
    useLiveStore.setState({
      client: clientOf({
        stackHealth: () => Promise.reject(notInstalled),
        stackStatus: () => Promise.reject(notInstalled),
        settings: () => Promise.resolve({}),
      }),
    });
    await useLiveStore.getState().reload();
    expect(useLiveStore.getState().loadError).toBeUndefined();
    expect(useLiveStore.getState().installed).toBe(false);
  });

  it('still shows a real failure to load', async () => {
    const down = new ApiError('internal', 'Something went wrong inside the appliance server.', 500);
    useLiveStore.setState({
      client: clientOf({
        stackHealth: () => Promise.reject(down),
        stackStatus: () => Promise.resolve([]),
        settings: () => Promise.resolve({}),
      }),
    });
    await useLiveStore.getState().reload();
    expect(useLiveStore.getState().loadError).toBe(down.message);
  });
});
