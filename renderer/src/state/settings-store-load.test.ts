import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type ApiClient, type SecretInfo } from '@contract';
import { useSettingsStore } from './settings-store';

const SECRET: SecretInfo = {
  name: 'postgres_password',
  ageSeconds: 60,
  consumers: ['postgres', 'backend'],
} as unknown as SecretInfo;

/** A server whose secrets list fails `failures` times (as during a rotation), then answers. */
function flakyClient(failures: number): { client: ApiClient; calls: () => number } {
  let calls = 0;
  const client = {
    secrets: async () => {
      calls++;
      if (calls <= failures) throw new ApiError('network', 'Failed to fetch', 0);
      return [SECRET];
    },
  } as unknown as ApiClient;
  return { client, calls: () => calls };
}

beforeEach(() => {
  vi.useFakeTimers();
  useSettingsStore.setState({ secrets: { state: 'ready', list: [SECRET] } });
});
afterEach(() => vi.useRealTimers());

describe('the secrets list', () => {
  it('recovers by itself after failed loads, keeping the last list in view meanwhile', async () => {
    const { client, calls } = flakyClient(3);
    const done = useSettingsStore.getState().loadSecrets(client);
    await vi.advanceTimersByTimeAsync(0);
    expect(useSettingsStore.getState().secrets).toMatchObject({
      state: 'error',
      retrying: true,
      list: [SECRET],
    });
    await vi.advanceTimersByTimeAsync(10_000);
    await done;
    expect(calls()).toBe(4);
    const secrets = useSettingsStore.getState().secrets;
    expect(secrets.state).toBe('ready');
    expect(secrets.error).toBeUndefined();
    expect(secrets.list).toEqual([SECRET]);
  });

  it('does not retry a refusal, and says so without promising to', async () => {
    let calls = 0;
    const client = {
      secrets: async () => {
        calls++;
        throw new ApiError('unauthorized', 'Sign in again.', 401);
      },
    } as unknown as ApiClient;
    await useSettingsStore.getState().loadSecrets(client);
    expect(calls).toBe(1);
    expect(useSettingsStore.getState().secrets).toMatchObject({
      state: 'error',
      retrying: false,
      error: 'Sign in again.',
    });
  });
});
