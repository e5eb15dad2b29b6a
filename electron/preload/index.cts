/**
 * The sandboxed preload: exposes one typed DesktopBridge as `window.desktop`. It may require only
 * 'electron' (sandbox), so it is CommonJS and holds no logic. The channel names are checked against
 * the main process's (electron/main/ipc.ts) by the type of CHANNELS.
 */
import electron = require('electron');
import type { DesktopBridge } from '../../server/src/contract/desktop.js';
import type { DesktopChannels } from '../main/ipc.js';

const CHANNELS: DesktopChannels = {
  getToken: 'desktop:get-token',
  chooseFolder: 'desktop:choose-folder',
  saveFile: 'desktop:save-file',
  revealInFolder: 'desktop:reveal',
  version: 'desktop:version',
  getStartAtLogin: 'desktop:get-start-at-login',
  setStartAtLogin: 'desktop:set-start-at-login',
  installDocker: 'desktop:install-docker',
};

const call =
  <K extends keyof DesktopBridge>(name: K) =>
  (...args: Parameters<DesktopBridge[K]>) =>
    electron.ipcRenderer.invoke(CHANNELS[name], ...args) as ReturnType<DesktopBridge[K]>;

const bridge: DesktopBridge = {
  getToken: call('getToken'),
  chooseFolder: call('chooseFolder'),
  saveFile: call('saveFile'),
  revealInFolder: call('revealInFolder'),
  version: call('version'),
  getStartAtLogin: call('getStartAtLogin'),
  setStartAtLogin: call('setStartAtLogin'),
  installDocker: call('installDocker'),
};

electron.contextBridge.exposeInMainWorld('desktop', bridge);
