/**
 * The free space of the engine's own storage (`DockerRootDir`), read on this machine. Only an
 * engine on a local socket keeps its storage here; even then Docker Desktop keeps it in its VM,
 * where the path does not exist on the host: the folder itself must be readable (no nearest parent
 * stands in for it), else the answer is "unknown" and the caller says so instead of guessing.
 */
import { statfs } from 'node:fs/promises';
import type { EngineStorage } from '../../core/updates/update-space.js';
import { engineClients } from './engine-clients.js';

export class DockerodeEngineStorage {
  constructor(private readonly endpoint: string) {}

  async free(): Promise<EngineStorage | undefined> {
    if (!this.endpoint.startsWith('unix://')) return undefined;
    const { docker } = engineClients(this.endpoint);
    const info = (await docker.info()) as { DockerRootDir?: unknown };
    const dir = typeof info.DockerRootDir === 'string' ? info.DockerRootDir : '';
    if (!dir.startsWith('/')) return undefined;
    const fs = await statfs(dir).catch(() => undefined);
    return fs ? { dir, freeBytes: fs.bavail * fs.bsize } : undefined;
  }
}
