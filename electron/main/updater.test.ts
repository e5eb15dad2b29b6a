import { describe, expect, it, vi } from 'vitest';
import { FakeEmitter } from './fakes.test-support.js';
import { createUpdater, loadAutoUpdater } from './updater.js';

class FakeAutoUpdater extends FakeEmitter {
  autoDownload = false;
  autoInstallOnAppQuit = false;
  checks = 0;
  installs = 0;
  failWith: Error | undefined;
  async checkForUpdates(): Promise<unknown> {
    this.checks++;
    if (this.failWith) throw this.failWith;
    return null;
  }
  quitAndInstall(): void {
    this.installs++;
  }
}

describe('the updater', () => {
  it('downloads in the background and reports the update as ready', async () => {
    const updater = new FakeAutoUpdater();
    const onReady = vi.fn();
    const subject = createUpdater({ updater, onReady, log: () => undefined });
    expect(updater.autoDownload).toBe(true);
    await subject.check();
    expect(subject.readyVersion()).toBeUndefined();
    updater.emit('update-downloaded', { version: '0.2.0' });
    expect(onReady).toHaveBeenCalledWith('0.2.0');
    expect(subject.readyVersion()).toBe('0.2.0');
  });

  it('installs only a ready update', () => {
    const updater = new FakeAutoUpdater();
    const subject = createUpdater({ updater, onReady: () => undefined, log: () => undefined });
    subject.install();
    expect(updater.installs).toBe(0);
    updater.emit('update-downloaded', { version: '0.2.0' });
    subject.install();
    expect(updater.installs).toBe(1);
  });

  it('logs a failed check instead of throwing', async () => {
    const updater = new FakeAutoUpdater();
    updater.failWith = new Error('offline');
    const log = vi.fn();
    await createUpdater({ updater, onReady: () => undefined, log }).check();
    expect(log).toHaveBeenCalledWith(expect.stringContaining('offline'));
  });

  it('is off in a development run, without loading electron-updater', async () => {
    const log = vi.fn();
    const load = vi.fn(async () => ({}));
    expect(await loadAutoUpdater(false, log, load)).toBeUndefined();
    expect(load).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
  });

  it('takes autoUpdater from the module, named or under default (CommonJS)', async () => {
    const updater = new FakeAutoUpdater();
    const log = vi.fn();
    expect(await loadAutoUpdater(true, log, async () => ({ autoUpdater: updater }))).toBe(updater);
    expect(
      await loadAutoUpdater(true, log, async () => ({ default: { autoUpdater: updater } })),
    ).toBe(updater);
    expect(log).not.toHaveBeenCalled();
  });

  it('is off (said once) when electron-updater cannot be loaded', async () => {
    const log = vi.fn();
    const load = async () => {
      throw new Error('Cannot find module');
    };
    expect(await loadAutoUpdater(true, log, load)).toBeUndefined();
    expect(log).toHaveBeenCalledOnce();
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/^updates are off: .*Cannot find/));
  });
});
