// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import {
  adoptApplianceFromUrl,
  apiBase,
  apiUrl,
  currentAppliance,
  forgetAppliance,
} from './target';

afterEach(() => {
  sessionStorage.clear();
  window.history.replaceState(null, '', '/');
});

describe('the appliance a tab manages', () => {
  it('is this computer until one is chosen: requests go to this server', () => {
    expect(currentAppliance()).toBeUndefined();
    expect(apiUrl('/api/health')).toBe('/api/health');
  });

  it('is taken from ?appliance= once (a notification, the tray), which leaves the address', () => {
    window.history.replaceState(null, '', '/services/redis?appliance=nas%201&x=1#top');
    adoptApplianceFromUrl();
    expect(currentAppliance()).toBe('nas 1');
    expect(apiBase()).toBe('/api/remote/nas%201');
    expect(apiUrl('/api/events')).toBe('/api/remote/nas%201/api/events');
    expect(`${location.pathname}${location.search}${location.hash}`).toBe(
      '/services/redis?x=1#top',
    );
    forgetAppliance();
    expect(apiUrl('/api/health')).toBe('/api/health');
  });

  it('?appliance=local goes back to this computer', () => {
    sessionStorage.setItem('medianest.appliance', 'nas');
    window.history.replaceState(null, '', '/?appliance=local');
    adoptApplianceFromUrl();
    expect(currentAppliance()).toBeUndefined();
  });
});
