/**
 * The sandboxed preload: exposes one typed DesktopBridge as `window.desktop`. It may require only
 * 'electron' (sandbox), so it is CommonJS and holds no logic.
 */
import electron = require('electron');
import type { DesktopBridge } from '../../server/src/contract/desktop.js';

const bridge: DesktopBridge = {
  getToken: () => electron.ipcRenderer.invoke('desktop:get-token') as Promise<string>,
  chooseFolder: (title) =>
    electron.ipcRenderer.invoke('desktop:choose-folder', title) as Promise<string | undefined>,
  saveFile: (name) =>
    electron.ipcRenderer.invoke('desktop:save-file', name) as Promise<string | undefined>,
  revealInFolder: (path) => electron.ipcRenderer.invoke('desktop:reveal', path) as Promise<void>,
  version: () => electron.ipcRenderer.invoke('desktop:version') as Promise<string>,
};

electron.contextBridge.exposeInMainWorld('desktop', bridge);
