import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeEmitter } from './fakes.test-support.js';
import { createUpdater, loadAutoUpdater, type BusyWith } from './updater.js';

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

/** No job running, nothing waiting. */
const idle = () => ({ runningJob: () => undefined, onWaiting: () => undefined });

afterEach(() => vi.useRealTimers());

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** An updater with an update of 0.2.0 downloaded, and a job the test starts and ends. */
function withJob() {
  const updater = new FakeAutoUpdater();
  let job: BusyWith | undefined;
  const onWaiting = vi.fn();
  const log = vi.fn();
  const subject = createUpdater({
    updater,
    onReady: () => undefined,
    onWaiting,
    runningJob: () => job,
    log,
    pollMs: 1000,
  });
  updater.emit('update-downloaded', { version: '0.2.0' });
  return {
    updater,
    subject,
    onWaiting,
    log,
    setJob: (next: BusyWith | undefined) => (job = next),
  };
}

describe('the updater', () => {
  it('downloads in the background and reports the update as ready', async () => {
    const updater = new FakeAutoUpdater();
    const onReady = vi.fn();
    const subject = createUpdater({ ...idle(), updater, onReady, log: () => undefined });
    expect(updater.autoDownload).toBe(true);
    await subject.check();
    expect(subject.readyVersion()).toBeUndefined();
    updater.emit('update-downloaded', { version: '0.2.0' });
    expect(onReady).toHaveBeenCalledWith('0.2.0');
    expect(subject.readyVersion()).toBe('0.2.0');
  });

  it('installs only a ready update', () => {
    const updater = new FakeAutoUpdater();
    const subject = createUpdater({
      ...idle(),
      updater,
      onReady: () => undefined,
      log: () => undefined,
    });
    subject.install();
    expect(updater.installs).toBe(0);
    updater.emit('update-downloaded', { version: '0.2.0' });
    subject.install();
    expect(updater.installs).toBe(1);
  });

  it('never restarts in the middle of a job: it waits, says so, and installs when the job ends', async () => {
    const { updater, subject, onWaiting, setJob } = withJob();
    setJob({ description: 'a backup' });
    expect(subject.install()).toBe('waiting');
    expect(updater.installs).toBe(0);
    expect(onWaiting).toHaveBeenCalledWith('0.2.0', { description: 'a backup' });
    // Another job finished, but the backup still runs.
    subject.jobFinished();
    await tick();
    expect(updater.installs).toBe(0);
    // The server says the backup finished a moment before it lets go of it.
    subject.jobFinished();
    setJob(undefined);
    await tick();
    expect(updater.installs).toBe(1);
  });

  it("installs once a CLI verb's job ends, which sends no event: it looks now and then", async () => {
    vi.useFakeTimers();
    const { updater, subject, setJob } = withJob();
    setJob({ description: 'a restore' });
    subject.install();
    subject.install(); // asked twice: still one wait, one install
    await vi.advanceTimersByTimeAsync(3000);
    expect(updater.installs).toBe(0);
    setJob(undefined);
    await vi.advanceTimersByTimeAsync(1000);
    expect(updater.installs).toBe(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(updater.installs).toBe(1);
  });

  it('does not install on quit while a job still runs, and says it will at the next quit', () => {
    const { updater, subject, log, setJob } = withJob();
    setJob({ description: 'an update of the stack' });
    subject.beforeExit();
    expect(updater.autoInstallOnAppQuit).toBe(false);
    expect(log).toHaveBeenCalledWith(
      'version 0.2.0 was not installed at quit: an update of the stack was still running; it installs at the next quit',
    );
  });

  it('installs on quit when the server stopped with no job left', async () => {
    const { updater, subject, setJob } = withJob();
    setJob({ description: 'a backup' });
    subject.install();
    setJob(undefined);
    subject.beforeExit();
    expect(updater.autoInstallOnAppQuit).toBe(true);
    // The quit installs it; the waiting restart does not fire on top of it.
    subject.jobFinished();
    await tick();
    expect(updater.installs).toBe(0);
  });

  it('logs a failed check instead of throwing', async () => {
    const updater = new FakeAutoUpdater();
    updater.failWith = new Error('offline');
    const log = vi.fn();
    await createUpdater({ ...idle(), updater, onReady: () => undefined, log }).check();
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
