import { describe, expect, it } from 'vitest';
import type { StackProgress } from '@contract';
import { EMPTY_INSTALL, withProgress, type InstallState } from './wizard-store';

const fold = (events: StackProgress[]): InstallState => events.reduce(withProgress, EMPTY_INSTALL);

describe('install progress', () => {
  it('keeps each image’s layers with their latest byte counts', () => {
    const state = fold([
      {
        type: 'stack.image-pulling',
        image: 'postgres:16',
        status: 'Pulling fs layer',
        layer: 'aaa',
      },
      {
        type: 'stack.image-pulling',
        image: 'postgres:16',
        status: 'Pulling fs layer',
        layer: 'bbb',
      },
      {
        type: 'stack.image-pulling',
        image: 'postgres:16',
        status: 'Downloading',
        layer: 'aaa',
        current: 10,
        total: 100,
      },
      {
        type: 'stack.image-pulling',
        image: 'postgres:16',
        status: 'Downloading',
        layer: 'aaa',
        current: 60,
        total: 100,
      },
      { type: 'stack.image-pulling', image: 'redis:7', status: 'Already exists' },
    ]);
    expect(state.images['postgres:16']).toEqual({
      status: 'Downloading',
      layers: {
        aaa: { status: 'Downloading', current: 60, total: 100 },
        bbb: { status: 'Pulling fs layer' },
      },
    });
    expect(state.images['redis:7']).toEqual({ status: 'Already exists', layers: {} });
  });

  it('shows each service’s latest step, health gating included', () => {
    const state = fold([
      { type: 'stack.network-created', network: 'mn_default' },
      { type: 'stack.service-progressed', service: 'postgres', action: 'creating' },
      {
        type: 'stack.service-progressed',
        service: 'postgres',
        action: 'waiting',
        detail: 'health: starting',
      },
      { type: 'stack.service-progressed', service: 'redis', action: 'starting' },
      { type: 'stack.service-progressed', service: 'postgres', action: 'ready' },
    ]);
    expect(state.services).toEqual({
      postgres: { action: 'ready' },
      redis: { action: 'starting' },
    });
  });
});
