/**
 * The desktop shell, thin by design: it starts the same server `medianest-appliance serve` runs,
 * shows its UI in one sandboxed window, and wires the server's events to the tray and to OS
 * notifications. Each part is a module taking the Electron calls it uses, tested with fakes; this
 * file only hands it the real ones.
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  Notification,
  safeStorage,
  shell,
  Tray,
} from 'electron';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiClient } from '../../server/src/contract/client.js';
import { messageOf } from '../../server/src/contract/errors.js';
import { DesktopEventSchema } from '../../server/src/contract/tray.js';
import {
  createServer,
  installDockerWithPrompt,
  preferSmallHeap,
  type AppServer,
} from '../../server/src/index.js';
import { registerIpc } from './ipc.js';
import { safeStorageBox } from './safe-storage-box.js';
import { installLifecycle } from './lifecycle.js';
import { createLoginItem, launchedAtLogin } from './login-item.js';
import { createNotifier } from './notifications.js';
import { followStackUpdates } from './stack-updates.js';
import { createTray } from './tray.js';
import { createUpdater, loadAutoUpdater, type Updater } from './updater.js';
import { createExternalOpener, createWindowManager, type WindowManager } from './window.js';

// The embedded server's backups and restores run in this process: the same lean heap as `serve`.
preferSmallHeap();

const here = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));
const log = (message: string): void => console.warn(`[desktop] ${message}`);

let server: AppServer | undefined;
let windows: WindowManager<BrowserWindow> | undefined;
let updater: Updater | undefined;

async function main(): Promise<void> {
  await app.whenReady();
  const home = app.getPath('userData');
  // The app's own releases come through electron-updater: the server's daily check stays off.
  // Paired appliances' tokens go to the OS keychain where it has one.
  const secretBox = safeStorageBox(safeStorage);
  const embedded = createServer({
    home,
    appRelease: { scheduled: false },
    ...(secretBox ? { secretBox } : {}),
  });
  server = embedded;
  const { url, token } = await embedded.start();
  let mediaNestUrl: string | undefined;

  const openExternal = createExternalOpener({
    openExternal: (target) => shell.openExternal(target),
    allowedOrigins: () => (mediaNestUrl === undefined ? [url] : [url, mediaNestUrl]),
    log,
  });
  const win = createWindowManager({
    createWindow: (options) => new BrowserWindow(options),
    preloadPath: here('../preload/index.cjs'),
    appUrl: url,
    openExternal,
    log,
  });
  windows = win;
  const loginItem = createLoginItem({
    platform: process.platform,
    isPackaged: app.isPackaged,
    app,
    fs,
    // Electron's appData is $XDG_CONFIG_HOME (or ~/.config) on Linux.
    configHome: app.getPath('appData'),
    executable: process.env.APPIMAGE ?? process.execPath,
  });
  const notifier = createNotifier({
    surface: {
      isSupported: () => Notification.isSupported(),
      create: (options) => new Notification(options),
    },
    openPage: (path) => win.openPage(path),
  });
  const api = createApiClient({ baseUrl: url, token });
  const stack = (action: 'up' | 'stop'): void => {
    api.stackAction({ action }).catch((error: unknown) => {
      notifier.notice(
        `The stack could not ${action === 'up' ? 'start' : 'stop'}`,
        messageOf(error),
      );
    });
  };
  const backUpNow = (): void => {
    api
      .createBackup({})
      .then(() => notifier.notice('Backing up MediaNest', 'You will be told when it is verified.'))
      .catch((error: unknown) => notifier.notice('The backup could not start', messageOf(error)));
  };
  const tray = createTray({
    surface: {
      createTray: (icon) => new Tray(icon),
      buildMenu: (template) => Menu.buildFromTemplate(template),
    },
    iconDir: here('../../../build/tray'),
    actions: {
      openWindow: () => win.show(),
      startStack: () => stack('up'),
      stopStack: () => stack('stop'),
      backUpNow,
      openMediaNest: (target) => void openExternal(target),
      openUpdates: () => win.openPage('/'),
      openAppliance: (id) => win.openPage(`/?appliance=${encodeURIComponent(id)}`),
      installUpdate: () => void updater?.install(),
      setStartAtLogin: (enabled) => {
        setStartAtLogin(enabled).catch((error: unknown) => {
          notifier.notice('Start at login could not be changed', messageOf(error));
        });
      },
      quit: () => app.quit(),
    },
  });
  /** From the tray or the bridge: sets it, then shows what the OS now says. */
  const setStartAtLogin = async (enabled: boolean): Promise<void> => {
    try {
      await loginItem.set(enabled);
    } finally {
      if (loginItem.supported) tray.setStartAtLogin(await loginItem.get().catch(() => undefined));
    }
  };
  if (loginItem.supported)
    tray.setStartAtLogin(
      await loginItem.get().catch((error: unknown) => {
        log(`start at login could not be read: ${messageOf(error)}`);
        return undefined;
      }),
    );
  registerIpc({
    ipcMain,
    dialogs: {
      async chooseFolder(parent, title) {
        const result = await dialog.showOpenDialog(parent, {
          title,
          properties: ['openDirectory', 'createDirectory'],
        });
        return result.canceled ? undefined : result.filePaths[0];
      },
      async saveFile(parent, name) {
        const defaultPath = join(app.getPath('downloads'), name);
        const result = await dialog.showSaveDialog(parent, { defaultPath });
        return result.canceled ? undefined : result.filePath;
      },
    },
    showItemInFolder: (path) => shell.showItemInFolder(path),
    revealRoots: () => [home],
    window: () => win.current(),
    appUrl: url,
    token,
    version: app.getVersion(),
    startAtLogin: { get: () => loginItem.get(), set: setStartAtLogin },
    installDocker: () => installDockerWithPrompt(process.env),
  });
  const stackUpdates = followStackUpdates({
    report: () => api.updates({}),
    show: (updates) => tray.setStackUpdates(updates),
    notify: (title, body) => notifier.notice(title, body, () => win.openPage('/')),
    log,
  });
  void stackUpdates.refresh();
  embedded.subscribe((event) => {
    stackUpdates.handle(event);
    if (event.type === 'job.finished') updater?.jobFinished();
    const parsed = DesktopEventSchema.safeParse(event);
    if (!parsed.success) return;
    if (parsed.data.type === 'tray.changed') {
      mediaNestUrl = parsed.data.mediaNestUrl;
      tray.update(parsed.data);
    } else if (parsed.data.type === 'tray.overall') {
      tray.overall(parsed.data);
    } else {
      notifier.alert(parsed.data);
    }
  });
  // A login launch starts into the tray; the window opens from there.
  if (!launchedAtLogin(process.platform, process.argv, app)) win.show();

  const autoUpdater = await loadAutoUpdater(app.isPackaged, log);
  if (autoUpdater) {
    const ready = createUpdater({
      updater: autoUpdater,
      onReady: (version) => {
        tray.setUpdateReady(version);
        notifier.notice(
          'Update ready',
          `Version ${version} installs when you restart MediaNest Appliance.`,
          () => void ready.install(),
        );
      },
      onWaiting: (version, job) => {
        tray.setUpdateReady(version, job.description);
        notifier.notice(
          'The update waits for a job',
          `MediaNest Appliance restarts to install version ${version} once ${job.description} has finished.`,
        );
      },
      runningJob: () => embedded.runningJob(),
      log,
    });
    updater = ready;
    await ready.check();
  }
}

const primary = installLifecycle({
  app,
  showWindow: () => windows?.show(),
  stopServer: () => server?.stop() ?? Promise.resolve(),
  // Installs on this quit only when no job was left running (the server stops first).
  beforeExit: () => updater?.beforeExit(),
  log,
});
if (primary) {
  main().catch((error: unknown) => {
    dialog.showErrorBox('MediaNest Appliance could not start', messageOf(error));
    app.quit();
  });
}
