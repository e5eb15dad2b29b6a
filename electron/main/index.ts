/**
 * The desktop shell: thin by design. It starts the same server `medianest-appliance serve` runs,
 * shows its UI in a sandboxed window and hands the per-launch token over through the preload.
 * Tray, notifications and the updater arrive with the desktop-shell issue.
 */
import { app, BrowserWindow, ipcMain, shell, type IpcMainInvokeEvent } from 'electron';
import { fileURLToPath } from 'node:url';
import { createServer, type AppServer } from '../../server/src/index.js';
import { isAppUrl, secureWindowOptions } from './window-options.js';

let server: AppServer | undefined;
let window: BrowserWindow | undefined;
let appUrl = '';
let token = '';

const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));

function fromOurWindow(event: IpcMainInvokeEvent): boolean {
  return (
    window !== undefined &&
    event.sender === window.webContents &&
    isAppUrl(event.senderFrame?.url ?? '', appUrl)
  );
}

function openWindow(): void {
  const win = new BrowserWindow(secureWindowOptions(preloadPath));
  win.webContents.on('will-navigate', (event, target) => {
    if (!isAppUrl(target, appUrl)) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://') || url.startsWith('http://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    window = undefined;
  });
  window = win;
  void win.loadURL(appUrl);
}

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => {
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    } else {
      openWindow();
    }
  });
  await app.whenReady();
  server = createServer({ home: app.getPath('userData') });
  ({ url: appUrl, token } = await server.start());
  ipcMain.handle('desktop:get-token', (event) =>
    fromOurWindow(event) ? token : Promise.reject(new Error('refused')),
  );
  ipcMain.handle('desktop:version', (event) =>
    fromOurWindow(event) ? app.getVersion() : Promise.reject(new Error('refused')),
  );
  openWindow();
  app.on('activate', () => {
    if (!window) openWindow();
  });
  app.on('before-quit', (event) => {
    if (!server) return;
    event.preventDefault();
    const stopping = server;
    server = undefined;
    void stopping.stop().finally(() => app.quit());
  });
}

void main();
