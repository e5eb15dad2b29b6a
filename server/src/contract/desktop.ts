/**
 * The few native calls the Electron preload exposes to the renderer as `window.desktop`.
 * Absent when the UI is served to a plain browser by `medianest-appliance serve`.
 */
export interface DesktopBridge {
  /** The per-launch API token, handed over here so it never appears in a URL. */
  getToken(): Promise<string>;
  chooseFolder(title: string): Promise<string | undefined>;
  saveFile(suggestedName: string): Promise<string | undefined>;
  revealInFolder(path: string): Promise<void>;
  version(): Promise<string>;
  /** Whether the app starts (into the tray) at login; false where that cannot be set. */
  getStartAtLogin(): Promise<boolean>;
  /** Turns start at login on or off; rejects in a development run or on an unsupported OS. */
  setStartAtLogin(enabled: boolean): Promise<void>;
}
