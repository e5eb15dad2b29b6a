/**
 * The app's life: one instance (a second launch focuses the first one's window), closing the window
 * keeps the tray and the server running, and quitting waits for the server to stop cleanly.
 */

/** The part of Electron's `app` this module uses. */
export interface LifecycleApp {
  requestSingleInstanceLock(): boolean;
  quit(): void;
  exit(exitCode?: number): void;
  on(event: 'second-instance', listener: () => void): unknown;
  on(event: 'activate', listener: () => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
}

export interface LifecycleDeps {
  app: LifecycleApp;
  /** Shows (or recreates) the window. */
  showWindow: () => void;
  /**
   * Stops the server: finishes the running job and closes the streams (AppServer.stop). Resolves at
   * once when no server was started.
   */
  stopServer: () => Promise<void>;
  log: (message: string) => void;
  /**
   * How long quitting waits for `stopServer`. A job still running then is marked interrupted by
   * the next start (JobRunner.recover), so the history stays true.
   */
  stopTimeoutMs?: number;
  /**
   * Runs once the server has stopped (or did not in time), just before the app exits: the updater
   * decides there whether a downloaded update may install on this quit.
   */
  beforeExit?: () => void;
}

/**
 * Returns false when another instance holds the lock: this one has asked to quit and must do
 * nothing else.
 */
export function installLifecycle(deps: LifecycleDeps): boolean {
  const { app } = deps;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => deps.showWindow());
  // macOS: clicking the dock icon with no window open.
  app.on('activate', () => deps.showWindow());
  // Listening is what keeps Electron from quitting when the last window closes: the tray stays.
  app.on('window-all-closed', () => undefined);

  let phase: 'running' | 'stopping' | 'stopped' = 'running';
  app.on('before-quit', (event) => {
    if (phase === 'stopped') return;
    event.preventDefault();
    if (phase === 'stopping') return;
    phase = 'stopping';
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        deps.log('the server did not stop in time; quitting anyway');
        resolve();
      }, deps.stopTimeoutMs ?? 20_000);
    });
    const stopped = deps.stopServer().catch((error: unknown) => {
      deps.log(`the server did not stop cleanly: ${String(error)}`);
    });
    void Promise.race([stopped, timeout]).then(() => {
      clearTimeout(timer);
      phase = 'stopped';
      try {
        deps.beforeExit?.();
      } catch (error) {
        deps.log(`before exit: ${String(error)}`);
      }
      app.quit();
    });
  });
  return true;
}
