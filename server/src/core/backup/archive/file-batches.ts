/**
 * Small files stat'ed, read and written a batch at a time by a worker thread: a backup walks and
 * reads thousands of small uploads, a restore writes them back. Through the main thread's
 * asynchronous calls each file costs four round trips through the thread pool (open, stat or
 * write, mode, close), which for 100k uploads was most of a backup's and a restore's CPU. Here the
 * main thread encrypts, decrypts and checks; the worker makes the system calls, and the bytes of a
 * batch travel as one buffer, moved rather than copied.
 */
import { constants } from 'node:fs';
import { Worker } from 'node:worker_threads';

/** A file to create, its bytes in pieces. */
export interface FileToWrite {
  target: string;
  mode: number;
  owner?: { uid: number; gid: number } | undefined;
  data: Buffer[];
  size: number;
}

/** Why one file of a batch could not be read or written. */
export class FileBatchError extends Error {
  constructor(
    readonly path: string,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

interface Reply {
  id: number;
  /** write: the file that failed (nothing after it in its batch was written). */
  failed?: { index: number; code?: string; message: string };
  /** read: where each file is in `bytes`, or why it could not be read. */
  read?: Array<
    { length: number; offset: number } | { grown: true } | { code?: string; message: string }
  >;
  bytes?: ArrayBuffer;
  /** stat: what `lstat` said of each path, or why it could not. */
  stats?: Array<FileStat | { code?: string; message: string }>;
}

/** A path as `lstat` sees it: links and devices are `other`. */
export interface FileStat {
  kind: 'dir' | 'file' | 'other';
  mode: number;
  size: number;
}

/**
 * The worker, as source so it runs the same from the compiled build, tsx and the test runner.
 * write: O_EXCL (in `flags`) never follows or overwrites what is there; a file it created and could
 * not finish is removed. read: O_NOFOLLOW, so a file swapped for a link since the walk is refused.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
function write({ id, flags, files, bytes }) {
  const data = new Uint8Array(bytes);
  let offset = 0;
  for (let index = 0; index < files.length; index += 1) {
    const file = files[index];
    let fd;
    try {
      fd = fs.openSync(file.target, flags, 0o600);
      for (let done = 0; done < file.size; ) {
        done += fs.writeSync(fd, data, offset + done, file.size - done);
      }
      if (file.owner) fs.fchownSync(fd, file.owner.uid, file.owner.gid);
      fs.fchmodSync(fd, file.mode);
      fs.closeSync(fd);
    } catch (error) {
      if (fd !== undefined) {
        try { fs.closeSync(fd); } catch {}
        try { fs.unlinkSync(file.target); } catch {}
      }
      parentPort.postMessage({ id, failed: { index, code: error.code, message: error.message } });
      return;
    }
    offset += file.size;
  }
  parentPort.postMessage({ id });
}
function read({ id, flags, files, bytes }) {
  // Into the caller's buffer, each file at its place: the worker allocates nothing per batch.
  const view = new Uint8Array(bytes);
  const more = new Uint8Array(1);
  let offset = 0;
  const read = files.map((file) => {
    let fd;
    try {
      fd = fs.openSync(file.path, flags);
      let length = 0;
      while (length < file.size) {
        const n = fs.readSync(fd, view, offset + length, file.size - length, null);
        if (n === 0) break;
        length += n;
      }
      // Grown since it was sized: the caller reads the whole of it another way.
      if (length === file.size && fs.readSync(fd, more, 0, 1, null) > 0) return { grown: true };
      return { length, offset };
    } catch (error) {
      return { code: error.code, message: error.message };
    } finally {
      offset += file.size;
      if (fd !== undefined) try { fs.closeSync(fd); } catch {}
    }
  });
  parentPort.postMessage({ id, read, bytes }, [bytes]);
}
function stat({ id, paths }) {
  const stats = paths.map((path) => {
    try {
      const st = fs.lstatSync(path);
      const kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
      return { kind, mode: st.mode, size: st.size };
    } catch (error) {
      return { code: error.code, message: error.message };
    }
  });
  parentPort.postMessage({ id, stats });
}
// rm -rf, each folder read as a stream, its files unlinked 256 at a time through the thread pool
// (fs.rmSync lists a whole folder at once and unlinks one file at a time).
async function unlinkAll(unlinks) {
  const failed = (await Promise.allSettled(unlinks)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}
async function removeTree(root) {
  try {
    if (!fs.lstatSync(root).isDirectory()) return fs.unlinkSync(root);
  } catch (error) {
    if (error.code === 'ENOENT') return;
    throw error;
  }
  const folders = [root];
  while (folders.length > 0) {
    const folder = folders[folders.length - 1];
    const dir = fs.opendirSync(folder, { bufferSize: 256 });
    let inner;
    try {
      let batch = [];
      for (let entry = dir.readSync(); entry; entry = dir.readSync()) {
        const path = folder + '/' + entry.name;
        if (entry.isDirectory()) {
          inner = path;
          break;
        }
        batch.push(fs.promises.unlink(path));
        if (batch.length >= 256) {
          await unlinkAll(batch);
          batch = [];
        }
      }
      await unlinkAll(batch);
    } finally {
      dir.closeSync();
    }
    if (inner) folders.push(inner);
    else {
      fs.rmdirSync(folder);
      folders.pop();
    }
  }
}
function remove({ id, path }) {
  removeTree(path).then(
    () => parentPort.postMessage({ id }),
    (error) => parentPort.postMessage({ id, failed: { index: 0, code: error.code, message: error.message } }),
  );
}
const ops = { write, read, stat, remove };
parentPort.on('message', (message) => ops[message.op](message));
`;

/** O_EXCL never follows or overwrites whatever is already there, a link included. */
export const CREATE_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
/** A file the walk found regular but that became a link since is refused, not followed. */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

export class FileBatches {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (reply: Reply) => void; reject: (error: Error) => void }
  >();

  /** Creates `files` in order; resolves once all are on disk, rejects at the first that fails. */
  async write(files: FileToWrite[]): Promise<void> {
    const bytes = new ArrayBuffer(files.reduce((sum, f) => sum + f.size, 0));
    const view = new Uint8Array(bytes);
    let offset = 0;
    for (const file of files) {
      for (const piece of file.data) {
        view.set(piece, offset);
        offset += piece.length;
      }
    }
    const reply = await this.send(
      {
        op: 'write',
        flags: CREATE_FLAGS,
        files: files.map((f) => ({ target: f.target, mode: f.mode, owner: f.owner, size: f.size })),
        bytes,
      },
      [bytes],
    );
    if (reply.failed) {
      const path = files[reply.failed.index]?.target ?? '';
      throw new FileBatchError(path, reply.failed.code, reply.failed.message);
    }
  }

  /**
   * Reads each file whole, given the size it had when it was found: its bytes, a FileBatchError
   * in its place when it cannot be read, or undefined when it has grown since (read it another
   * way). The batch's buffer is allocated here and lent to the worker.
   */
  async read(
    files: Array<{ path: string; size: number }>,
  ): Promise<Array<Buffer | FileBatchError | undefined>> {
    const lent = new ArrayBuffer(files.reduce((sum, f) => sum + f.size, 0));
    const reply = await this.send({ op: 'read', flags: READ_FLAGS, files, bytes: lent }, [lent]);
    const bytes = Buffer.from(reply.bytes ?? new ArrayBuffer(0));
    return (reply.read ?? []).map((result, i) => {
      if ('grown' in result) return undefined;
      if ('length' in result) return bytes.subarray(result.offset, result.offset + result.length);
      return new FileBatchError(files[i]?.path ?? '', result.code, result.message);
    });
  }

  /** `lstat` of each path; a path that cannot be stat'ed is its FileBatchError in the result. */
  async stat(paths: string[]): Promise<Array<FileStat | FileBatchError>> {
    const reply = await this.send({ op: 'stat', paths });
    return (reply.stats ?? []).map((result, i) =>
      'kind' in result ? result : new FileBatchError(paths[i] ?? '', result.code, result.message),
    );
  }

  /** Removes `path` and everything under it (`rm -rf`); a missing path is not an error. */
  async remove(path: string): Promise<void> {
    const reply = await this.send({ op: 'remove', path });
    if (reply.failed) throw new FileBatchError(path, reply.failed.code, reply.failed.message);
  }

  /** Stops the worker; batches still waiting fail. Call once done, failed or not. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
    this.failAll(new Error('The file worker was closed.'));
  }

  private send(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> {
    const worker = this.start();
    const id = (this.nextId += 1);
    return new Promise<Reply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ ...message, id }, transfer);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    // What the worker keeps is small (a batch's names; the bytes are the caller's buffers), so
    // its heap is kept small too: left to itself it grows by tens of MB of garbage.
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 },
    });
    worker.on('message', (reply: Reply) => {
      const batch = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      batch?.resolve(reply);
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(new Error('The file worker stopped.'));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    for (const batch of this.waiting.values()) batch.reject(error);
    this.waiting.clear();
  }
}

/**
 * `rm -rf path`, from a worker: Node's recursive `rm` keeps a promise for every entry of a folder
 * at once (removing a folder of 131k uploads took 130 MB of the manager's heap, and its
 * synchronous one lists the whole folder); the worker reads each folder as a stream.
 */
export async function removeTree(path: string): Promise<void> {
  const files = new FileBatches();
  try {
    await files.remove(path);
  } finally {
    await files.close();
  }
}
