import {
  promises as fsp,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { totalmem } from 'node:os';
import { dirname } from 'node:path';
import type { HostProbe, PortProbe } from '../../core/doctor/host-probe.js';

/** Inodes of sockets listening on `port`, from /proc/net/tcp{,6} (Linux only; empty elsewhere). */
function listeningInodes(port: number): string[] {
  const inodes: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      const state = cols[3];
      const inode = cols[9];
      if (!local || state !== '0A' || !inode) continue;
      const hexPort = local.slice(local.lastIndexOf(':') + 1);
      if (Number.parseInt(hexPort, 16) === port) inodes.push(inode);
    }
  }
  return inodes;
}

/** "nginx (pid 812)" for the first process holding one of the sockets, where /proc lets us see. */
function holderOf(inodes: string[]): string | undefined {
  const wanted = new Set(inodes.map((inode) => `socket:[${inode}]`));
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (wanted.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) {
          const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
          return `${comm} (pid ${pid})`;
        }
      } catch {
        // The process or descriptor went away while we looked.
      }
    }
  }
  return undefined;
}

function tryListen(port: number): Promise<PortProbe> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EACCES' || error.code === 'EPERM') resolve({ state: 'privileged' });
      else resolve({ state: 'taken' });
    });
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => {
      server.close(() => resolve({ state: 'free' }));
    });
  });
}

export class NodeHostProbe implements HostProbe {
  isSocket(path: string): boolean {
    try {
      return statSync(path).isSocket();
    } catch {
      return false;
    }
  }

  readText(path: string): string | undefined {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  }

  listDir(path: string): string[] {
    try {
      return readdirSync(path);
    } catch {
      return [];
    }
  }

  realPath(path: string): string {
    try {
      return realpathSync(path);
    } catch {
      return path;
    }
  }

  async freeDiskBytes(
    path: string,
  ): Promise<{ path: string; freeBytes: number; totalBytes: number }> {
    let current = path;
    for (;;) {
      try {
        const stats = await fsp.statfs(current);
        return {
          path: current,
          freeBytes: stats.bavail * stats.bsize,
          totalBytes: stats.blocks * stats.bsize,
        };
      } catch (error) {
        const parent = dirname(current);
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === current) throw error;
        current = parent;
      }
    }
  }

  totalMemoryBytes(): number {
    return totalmem();
  }

  async probePort(port: number): Promise<PortProbe> {
    const inodes = listeningInodes(port);
    if (inodes.length > 0) {
      const holder = holderOf(inodes);
      return holder ? { state: 'taken', holder } : { state: 'taken' };
    }
    return tryListen(port);
  }
}
