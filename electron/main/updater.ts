/**
 * Updates from GitHub releases through electron-updater (the `publish` section of
 * electron-builder.yml tells it where). An update downloads in the background and is then shown as
 * ready: in the tray menu and as a notification; it installs when the user says so, or on quit.
 */

/** The part of electron-updater's `autoUpdater` (AppUpdater) this module uses. */
export interface AutoUpdater {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  on(event: 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(): void;
}

export interface Updater {
  /** Checks now; failures (offline, rate-limited) are logged, never thrown. */
  check(): Promise<void>;
  /** The version downloaded and ready to install, if any. */
  readyVersion(): string | undefined;
  /** Quits (the server stops through before-quit) and installs the ready update. */
  install(): void;
}

export function createUpdater(deps: {
  updater: AutoUpdater;
  onReady: (version: string) => void;
  log: (message: string) => void;
}): Updater {
  const { updater } = deps;
  let ready: string | undefined;
  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = true;
  updater.on('update-downloaded', (info) => {
    ready = info.version;
    deps.onReady(info.version);
  });
  updater.on('error', (error) => deps.log(`update check failed: ${error.message}`));
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
      if (ready !== undefined) updater.quitAndInstall();
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
