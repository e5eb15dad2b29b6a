/** What the doctor needs to know about the host; infra/system implements it, tests inject fakes. */
export interface HostProbe {
  /** True when the path exists and is a Unix socket (or a link to one). */
  isSocket(path: string): boolean;
  /** The file's text, or undefined when it cannot be read. */
  readText(path: string): string | undefined;
  /** Names in a folder, or an empty list when it cannot be read. */
  listDir(path: string): string[];
  /** The canonical path (links resolved), or the path itself when it does not exist. */
  realPath(path: string): string;
  /** Free bytes for an unprivileged user on the filesystem holding `path` (or its nearest existing parent). */
  freeDiskBytes(path: string): Promise<{ path: string; freeBytes: number; totalBytes: number }>;
  totalMemoryBytes(): number;
  /** Whether a TCP port can be listened on, and if not, who holds it where the OS tells. */
  probePort(port: number): Promise<PortProbe>;
}

export type PortProbe =
  | { state: 'free' }
  | { state: 'taken'; holder?: string }
  /** Binding needs privileges we lack; nothing is known to listen there. */
  | { state: 'privileged' };

export interface DiscoveryContext {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  homeDir: string;
  uid: number;
  probe: Pick<HostProbe, 'isSocket' | 'readText' | 'listDir' | 'realPath'>;
}
