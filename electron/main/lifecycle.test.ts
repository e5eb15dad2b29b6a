import { describe, expect, it, vi } from 'vitest';
import { FakeEmitter } from './fakes.test-support.js';
import { installLifecycle } from './lifecycle.js';

class FakeApp extends FakeEmitter {
  quits = 0;
  exits = 0;
  constructor(private readonly primary = true) {
    super();
  }
  requestSingleInstanceLock(): boolean {
    return this.primary;
  }
  quit(): void {
    this.quits++;
    // Electron emits before-quit on every quit(); a listener may prevent it.
    const event = { prevented: false, preventDefault: () => (event.prevented = true) };
    this.emit('before-quit', event);
    if (!event.prevented) this.exited = true;
  }
  exited = false;
  exit(): void {
    this.exits++;
  }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup(
  options: {
    primary?: boolean;
    stop?: () => Promise<void>;
    timeout?: number;
    beforeExit?: () => void;
  } = {},
) {
  const app = new FakeApp(options.primary ?? true);
  const showWindow = vi.fn();
  const stopServer = vi.fn(options.stop ?? (async () => undefined));
  const log = vi.fn();
  const primary = installLifecycle({
    app,
    showWindow,
    stopServer,
    log,
    ...(options.timeout !== undefined ? { stopTimeoutMs: options.timeout } : {}),
    ...(options.beforeExit ? { beforeExit: options.beforeExit } : {}),
  });
  return { app, showWindow, stopServer, log, primary };
}

describe('the app lifecycle', () => {
  it('a second instance quits at once and starts nothing', () => {
    const { app, primary } = setup({ primary: false });
    expect(primary).toBe(false);
    expect(app.quits).toBe(1);
    expect(app.count('second-instance')).toBe(0);
  });

  it("a second launch focuses the first instance's window", () => {
    const { app, showWindow } = setup();
    app.emit('second-instance');
    expect(showWindow).toHaveBeenCalledOnce();
  });

  it('closing the last window keeps the app (tray and server) running', () => {
    const { app, stopServer } = setup();
    expect(app.count('window-all-closed')).toBe(1);
    app.emit('window-all-closed');
    expect(app.quits).toBe(0);
    expect(stopServer).not.toHaveBeenCalled();
  });

  it('quitting stops the server, and exits only once stop() has resolved', async () => {
    let finish!: () => void;
    const { app, stopServer } = setup({ stop: () => new Promise<void>((r) => (finish = r)) });
    app.quit();
    expect(stopServer).toHaveBeenCalledOnce();
    expect(app.exited).toBe(false);
    app.quit(); // a second Quit while stopping changes nothing
    await flush();
    expect(stopServer).toHaveBeenCalledOnce();
    expect(app.exited).toBe(false);
    finish();
    await flush();
    expect(app.exited).toBe(true);
  });

  it('lets the updater decide, after the server stopped and before the exit, whether to install', async () => {
    const order: string[] = [];
    let finish!: () => void;
    const { app } = setup({
      stop: () =>
        new Promise<void>((r) => (finish = r)).then(() => {
          order.push('server stopped');
        }),
      beforeExit: () => order.push(`before exit (exited: ${String(app.exited)})`),
    });
    app.quit();
    await flush();
    expect(order).toEqual([]);
    finish();
    await flush();
    expect(order).toEqual(['server stopped', 'before exit (exited: false)']);
    expect(app.exited).toBe(true);
  });

  it('quits even when the server fails to stop, and says why', async () => {
    const { app, log } = setup({ stop: async () => Promise.reject(new Error('disk full')) });
    app.quit();
    await flush();
    expect(app.exited).toBe(true);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('disk full'));
  });

  it('quits after the timeout when a stop hangs', async () => {
    const { app, log } = setup({ stop: () => new Promise<void>(() => undefined), timeout: 5 });
    app.quit();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(app.exited).toBe(true);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('did not stop in time'));
  });
});
