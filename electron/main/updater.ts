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

/**
 * electron-updater's autoUpdater, or undefined while the dependency is not installed (or in a
 * development run, where there is no app-update.yml to read).
 */
export async function loadAutoUpdater(
  isPackaged: boolean,
  log: (message: string) => void,
): Promise<AutoUpdater | undefined> {
  if (!isPackaged) return undefined;
  // A variable specifier, so the typecheck does not need the package before it is added.
  const specifier = 'electron-updater';
  try {
    // CommonJS: Node may or may not lift `autoUpdater` out of `default`.
    const module = (await import(specifier)) as {
      autoUpdater?: AutoUpdater;
      default?: { autoUpdater?: AutoUpdater };
    };
    return module.autoUpdater ?? module.default?.autoUpdater;
  } catch {
    log('updates are off: electron-updater is not installed');
    return undefined;
  }
}
