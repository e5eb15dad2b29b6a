/**
 * Small files stat'ed, read and written a batch at a time by a worker thread: a backup walks and
 * reads thousands of small uploads, a restore writes them back. Through the main thread's asynchronous calls each
 * file costs four round trips through the thread pool (open, stat or write, mode, close), which
 * for 100k uploads was most of a backup's and a restore's CPU. Here the main thread encrypts,
 * decrypts and checks; the worker makes the system calls, and the bytes of a batch travel as one
 * buffer, moved rather than copied.
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
  read?: Array<{ length: number; offset: number } | { code?: string; message: string }>;
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
function read({ id, flags, paths }) {
  // Opened and sized first, then read straight into one buffer for the batch: no buffer per file.
  const opened = paths.map((path) => {
    let fd;
    try {
      fd = fs.openSync(path, flags);
      return { fd, size: fs.fstatSync(fd).size };
    } catch (error) {
      if (fd !== undefined) try { fs.closeSync(fd); } catch {}
      return { code: error.code, message: error.message };
    }
  });
  const bytes = new ArrayBuffer(opened.reduce((sum, file) => sum + (file.size ?? 0), 0));
  const view = new Uint8Array(bytes);
  let offset = 0;
  const read = opened.map((file) => {
    if (file.fd === undefined) return file;
    try {
      // What the file held when it was sized (a file still growing is cut there, as tar does).
      let length = 0;
      while (length < file.size) {
        const n = fs.readSync(file.fd, view, offset + length, file.size - length, null);
        if (n === 0) break;
        length += n;
      }
      return { length, offset };
    } catch (error) {
      return { code: error.code, message: error.message };
    } finally {
      offset += file.size;
      try { fs.closeSync(file.fd); } catch {}
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
// rm -rf, a folder at a time read as a stream (fs.rmSync lists a whole folder at once).
function removeTree(root) {
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
      for (let entry = dir.readSync(); entry; entry = dir.readSync()) {
        const path = folder + '/' + entry.name;
        if (entry.isDirectory()) {
          inner = path;
          break;
        }
        fs.unlinkSync(path);
      }
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
  try {
    removeTree(path);
    parentPort.postMessage({ id });
  } catch (error) {
    parentPort.postMessage({ id, failed: { index: 0, code: error.code, message: error.message } });
  }
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

  /** Reads each file whole; a file that cannot be read is its FileBatchError in the result. */
  async read(paths: string[]): Promise<Array<Buffer | FileBatchError>> {
    const reply = await this.send({ op: 'read', flags: READ_FLAGS, paths });
    const bytes = Buffer.from(reply.bytes ?? new ArrayBuffer(0));
    return (reply.read ?? []).map((result, i) => {
      if ('length' in result) return bytes.subarray(result.offset, result.offset + result.length);
      return new FileBatchError(paths[i] ?? '', result.code, result.message);
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
    const worker = new Worker(WORKER_SOURCE, { eval: true });
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
