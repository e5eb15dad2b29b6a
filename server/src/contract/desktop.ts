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
  /**
   * Runs this computer's Docker install plan (the one the doctor shows) through the OS's privilege
   * prompt (polkit's pkexec). Takes no commands from the page: the main process works out the plan.
   */
  installDocker(): Promise<DockerInstallResult>;
}

/** How "Install Docker for me" ended, in words for the user. */
export interface DockerInstallResult {
  ok: boolean;
  message: string;
}
