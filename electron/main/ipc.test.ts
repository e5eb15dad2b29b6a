import { describe, expect, it, vi } from 'vitest';
import { FakeWindow } from './fakes.test-support.js';
import { DESKTOP_CHANNELS, registerIpc, type InvokeEvent } from './ipc.js';

const APP = 'http://127.0.0.1:41234';
const HOME = '/home/me/.config/MediaNest Appliance';

function setup() {
  const handlers = new Map<string, (event: InvokeEvent, ...args: unknown[]) => unknown>();
  const win = new FakeWindow({});
  void win.loadURL(`${APP}/`);
  const dialogs = {
    chooseFolder: vi.fn(async (_w: FakeWindow, _title: string) => '/home/me/backups'),
    saveFile: vi.fn(async (_w: FakeWindow, name: string) => `/home/me/Downloads/${name}`),
  };
  const showItemInFolder = vi.fn();
  let startsAtLogin = false;
  const startAtLogin = {
    get: vi.fn(async () => startsAtLogin),
    set: vi.fn(async (enabled: boolean) => void (startsAtLogin = enabled)),
  };
  let finishInstall: (result: { ok: boolean; message: string }) => void = () => undefined;
  const installDocker = vi.fn(
    () => new Promise<{ ok: boolean; message: string }>((r) => (finishInstall = r)),
  );
  let current: FakeWindow | undefined = win;
  registerIpc({
    ipcMain: { handle: (channel, listener) => void handlers.set(channel, listener) },
    dialogs,
    showItemInFolder,
    revealRoots: () => [HOME],
    window: () => current,
    appUrl: APP,
    token: 'per-launch-token',
    version: '0.1.0',
    startAtLogin,
    installDocker,
  });
  const ours: InvokeEvent = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
  const invoke = async (channel: string, event: InvokeEvent, ...args: unknown[]) =>
    handlers.get(channel)!(event, ...args);
  const close = () => (current = undefined);
  const finish = (result: { ok: boolean; message: string }) => finishInstall(result);
  return {
    handlers,
    win,
    ours,
    invoke,
    dialogs,
    showItemInFolder,
    startAtLogin,
    close,
    installDocker,
    finish,
  };
}

describe('the IPC bridge', () => {
  it('registers one handler per DesktopBridge method', () => {
    const { handlers } = setup();
    expect([...handlers.keys()].sort()).toEqual(Object.values(DESKTOP_CHANNELS).sort());
  });

  it('answers our window: the token, the version, the dialogs and reveal', async () => {
    const { win, ours, invoke, dialogs, showItemInFolder } = setup();
    await expect(invoke(DESKTOP_CHANNELS.getToken, ours)).resolves.toBe('per-launch-token');
    await expect(invoke(DESKTOP_CHANNELS.version, ours)).resolves.toBe('0.1.0');
    await expect(invoke(DESKTOP_CHANNELS.chooseFolder, ours, 'Backups')).resolves.toBe(
      '/home/me/backups',
    );
    expect(dialogs.chooseFolder).toHaveBeenCalledWith(win, 'Backups');
    // Only a name reaches the save dialog: the renderer does not pick the folder.
    await invoke(DESKTOP_CHANNELS.saveFile, ours, '../../.bashrc');
    expect(dialogs.saveFile).toHaveBeenCalledWith(win, '.bashrc');
    await invoke(DESKTOP_CHANNELS.revealInFolder, ours, '/home/me/backups/a.tar');
    expect(showItemInFolder).toHaveBeenCalledWith('/home/me/backups/a.tar');
  });

  it('reads and sets start at login for our window', async () => {
    const { ours, invoke, startAtLogin } = setup();
    await expect(invoke(DESKTOP_CHANNELS.getStartAtLogin, ours)).resolves.toBe(false);
    await invoke(DESKTOP_CHANNELS.setStartAtLogin, ours, true);
    expect(startAtLogin.set).toHaveBeenCalledWith(true);
    await expect(invoke(DESKTOP_CHANNELS.getStartAtLogin, ours)).resolves.toBe(true);
  });

  it("installs Docker with the main process's own plan: nothing from the page, one run at a time", async () => {
    const { ours, invoke, installDocker, finish } = setup();
    const first = invoke(DESKTOP_CHANNELS.installDocker, ours, ['rm', '-rf', '/']);
    const second = invoke(DESKTOP_CHANNELS.installDocker, ours);
    finish({ ok: true, message: 'Docker is installed and running.' });
    await expect(first).resolves.toEqual({ ok: true, message: 'Docker is installed and running.' });
    await expect(second).resolves.toEqual({
      ok: true,
      message: 'Docker is installed and running.',
    });
    expect(installDocker).toHaveBeenCalledTimes(1);
    expect(installDocker).toHaveBeenCalledWith();
    // Once finished, a new click runs again (after a dismissed prompt, say).
    const third = invoke(DESKTOP_CHANNELS.installDocker, ours);
    finish({ ok: false, message: 'Nothing was installed' });
    await expect(third).resolves.toMatchObject({ ok: false });
    expect(installDocker).toHaveBeenCalledTimes(2);
  });

  it('rejects every call from another webContents', async () => {
    const { ours, invoke, win } = setup();
    const stranger = new FakeWindow({});
    void stranger.loadURL(`${APP}/`);
    const event: InvokeEvent = { sender: stranger.webContents, senderFrame: ours.senderFrame };
    for (const channel of Object.values(DESKTOP_CHANNELS))
      await expect(invoke(channel, event)).rejects.toThrow(/refused/);
    expect(win.loaded).toHaveLength(1);
  });

  it('rejects a call from a sub-frame of our window, even at our origin', async () => {
    const { win, invoke } = setup();
    const event: InvokeEvent = { sender: win.webContents, senderFrame: { url: `${APP}/` } };
    await expect(invoke(DESKTOP_CHANNELS.getToken, event)).rejects.toThrow(/refused/);
  });

  it('rejects a call from our window once it shows another origin', async () => {
    const { win, ours, invoke } = setup();
    win.webContents.mainFrame.url = 'https://evil.example/';
    await expect(invoke(DESKTOP_CHANNELS.getToken, ours)).rejects.toThrow(/refused/);
  });

  it('rejects calls without a frame, or when the window is closed', async () => {
    const { win, ours, invoke, close } = setup();
    const noFrame: InvokeEvent = { sender: win.webContents, senderFrame: null };
    await expect(invoke(DESKTOP_CHANNELS.getToken, noFrame)).rejects.toThrow(/refused/);
    close();
    await expect(invoke(DESKTOP_CHANNELS.getToken, ours)).rejects.toThrow(/refused/);
  });

  it('rejects bad arguments before any native call', async () => {
    const { ours, invoke, showItemInFolder, dialogs, startAtLogin } = setup();
    await expect(invoke(DESKTOP_CHANNELS.revealInFolder, ours, 'relative/path')).rejects.toThrow(
      /absolute/,
    );
    await expect(invoke(DESKTOP_CHANNELS.chooseFolder, ours, 42)).rejects.toThrow(/string/);
    for (const value of ['true', 1, undefined, null])
      await expect(invoke(DESKTOP_CHANNELS.setStartAtLogin, ours, value)).rejects.toThrow(
        /boolean/,
      );
    expect(showItemInFolder).not.toHaveBeenCalled();
    expect(dialogs.chooseFolder).not.toHaveBeenCalled();
    expect(startAtLogin.set).not.toHaveBeenCalled();
  });

  it('reveals paths inside the appliance home without a dialog', async () => {
    const { ours, invoke, showItemInFolder } = setup();
    await invoke(DESKTOP_CHANNELS.revealInFolder, ours, `${HOME}/backups/a.mnbackup`);
    await invoke(DESKTOP_CHANNELS.revealInFolder, ours, HOME);
    expect(showItemInFolder.mock.calls).toEqual([[`${HOME}/backups/a.mnbackup`], [HOME]]);
  });

  it('refuses to reveal anything else until the user chose it in a dialog', async () => {
    const { ours, invoke, showItemInFolder } = setup();
    const outside = [
      '/home/me/.ssh/id_ed25519',
      '/etc/shadow',
      `${HOME}/../../.ssh/id_ed25519`,
      `${HOME} Evil/x`,
      '/home/me/backups/a.tar',
      '/home/me/Downloads/report.tar.gz',
    ];
    for (const path of outside)
      await expect(invoke(DESKTOP_CHANNELS.revealInFolder, ours, path)).rejects.toThrow(
        /inside the appliance home or chosen in a dialog/,
      );
    expect(showItemInFolder).not.toHaveBeenCalled();
  });

  it('reveals a chosen folder and what is in it, and a file chosen to save, nothing beside', async () => {
    const { ours, invoke, showItemInFolder } = setup();
    await invoke(DESKTOP_CHANNELS.chooseFolder, ours, 'Backups');
    await invoke(DESKTOP_CHANNELS.saveFile, ours, 'report.tar.gz');
    await invoke(DESKTOP_CHANNELS.revealInFolder, ours, '/home/me/backups/sub/a.tar');
    await invoke(DESKTOP_CHANNELS.revealInFolder, ours, '/home/me/Downloads/report.tar.gz');
    await expect(
      invoke(DESKTOP_CHANNELS.revealInFolder, ours, '/home/me/Downloads/other.txt'),
    ).rejects.toThrow(/chosen in a dialog/);
    await expect(
      invoke(DESKTOP_CHANNELS.revealInFolder, ours, '/home/me/backups/../.ssh'),
    ).rejects.toThrow(/chosen in a dialog/);
    expect(showItemInFolder.mock.calls).toEqual([
      ['/home/me/backups/sub/a.tar'],
      ['/home/me/Downloads/report.tar.gz'],
    ]);
  });
});
