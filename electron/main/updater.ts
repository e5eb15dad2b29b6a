/**
 * Updates from GitHub releases through electron-updater (the `publish` section of
 * electron-builder.yml tells it where). An update downloads in the background and is then shown as
 * ready: in the tray menu and as a notification; it installs when the user says so, or on quit.
 * Never in the middle of a job (a backup, a restore, a stack update: the server's or a CLI verb's):
 * a restart asked for then waits for the job to end, and says so; a quit while one still runs
 * leaves the update for the next quit, so the new version never starts with the old one's job
 * half done.
 */

/** The part of electron-updater's `autoUpdater` (AppUpdater) this module uses. */
export interface AutoUpdater {
  autoDownload: boolean;
  /** Read by electron-updater when the app quits (BaseUpdater's quit handler), not only at start. */
  autoInstallOnAppQuit: boolean;
  on(event: 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(): void;
}

/** A job under way in the home, in words ("a backup"); AppServer.runningJob gives it. */
export interface BusyWith {
  description: string;
}

export type InstallOutcome = 'installing' | 'waiting' | 'nothing-ready';

export interface Updater {
  /** Checks now; failures (offline, rate-limited) are logged, never thrown. */
  check(): Promise<void>;
  /** The version downloaded and ready to install, if any. */
  readyVersion(): string | undefined;
  /**
   * Quits (the server stops through before-quit) and installs the ready update; while a job runs,
   * waits for it to end first (`onWaiting` says so).
   */
  install(): InstallOutcome;
  /** A job finished (`job.finished`): a waiting install goes ahead unless another one runs. */
  jobFinished(): void;
  /**
   * The app is about to exit (the server has stopped, or did not in time): install on quit only
   * when no job is left running.
   */
  beforeExit(): void;
}

export function createUpdater(deps: {
  updater: AutoUpdater;
  onReady: (version: string) => void;
  /** An install waits for `job`; it goes ahead by itself when the job has finished. */
  onWaiting: (version: string, job: BusyWith) => void;
  /** The job running in the home now, the server's or a CLI verb's; undefined when none. */
  runningJob: () => BusyWith | undefined;
  log: (message: string) => void;
  /** How often a waiting install looks whether the job has ended (default 5 s). */
  pollMs?: number;
}): Updater {
  const { updater } = deps;
  let ready: string | undefined;
  let waiting: ReturnType<typeof setInterval> | undefined;
  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = true;
  updater.on('update-downloaded', (info) => {
    ready = info.version;
    deps.onReady(info.version);
  });
  updater.on('error', (error) => deps.log(`update check failed: ${error.message}`));
  const installNow = (): void => {
    if (waiting) clearInterval(waiting);
    waiting = undefined;
    updater.quitAndInstall();
  };
  // A CLI verb's job ends with no event here: a waiting install also looks now and then.
  const goIfFree = (): void => {
    if (waiting && deps.runningJob() === undefined) installNow();
  };
  return {
    async check() {
      try {
        await updater.checkForUpdates();
      } catch (error) {
        deps.log(`update check failed: ${String(error)}`);
      }
    },
    readyVersion: () => ready,
    install() {
      if (ready === undefined) return 'nothing-ready';
      const job = deps.runningJob();
      if (job === undefined) {
        installNow();
        return 'installing';
      }
      if (!waiting) {
        waiting = setInterval(goIfFree, deps.pollMs ?? 5000);
        waiting.unref?.();
      }
      deps.onWaiting(ready, job);
      return 'waiting';
    },
    jobFinished() {
      // The server publishes job.finished just before it lets go of the job: look right after.
      setTimeout(goIfFree, 0);
    },
    beforeExit() {
      if (waiting) clearInterval(waiting);
      waiting = undefined;
      const job = deps.runningJob();
      updater.autoInstallOnAppQuit = job === undefined;
      if (job && ready !== undefined)
        deps.log(
          `version ${ready} was not installed at quit: ${job.description} was still running; it installs at the next quit`,
        );
    },
  };
}

/** What `import('electron-updater')` yields: its exports, or them under `default`. */
export interface ElectronUpdaterModule {
  autoUpdater?: AutoUpdater;
  default?: { autoUpdater?: AutoUpdater };
}

/**
 * The real import. Typed by the package: that `AppUpdater` fits `AutoUpdater` is checked here.
 * Imported only when called, so a development run and the unit tests never load it (it reads
 * `app-update.yml` from the packaged app's resources).
 */
const importElectronUpdater = async (): Promise<ElectronUpdaterModule> =>
  import('electron-updater');

/**
 * electron-updater's autoUpdater in a packaged app; undefined in a development run (there is no
 * app-update.yml to read there), or if the package cannot be loaded.
 */
export async function loadAutoUpdater(
  isPackaged: boolean,
  log: (message: string) => void,
  load: () => Promise<ElectronUpdaterModule> = importElectronUpdater,
): Promise<AutoUpdater | undefined> {
  if (!isPackaged) return undefined;
  try {
    const module = await load();
    // CommonJS: Node does not see `autoUpdater` (a getter) as a named export; it is in `default`.
    const updater = module.autoUpdater ?? module.default?.autoUpdater;
    if (!updater) log('updates are off: electron-updater has no autoUpdater');
    return updater;
  } catch (error) {
    log(`updates are off: electron-updater could not be loaded (${String(error)})`);
    return undefined;
  }
}
