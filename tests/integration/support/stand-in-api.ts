/**
 * The stand-in backend's data API through the stack's nginx, as a user's client reaches it. nginx
 * rate-limits the API per client: each call waits its turn (429) and the backend's restart (502),
 * for at most a minute, then fails with the last answer.
 */
import { request } from './http.js';

export interface StandInApi {
  /** Sends a body; returns the status. */
  send(
    path: string,
    method: string,
    body: Buffer | string,
    headers?: Record<string, string>,
  ): Promise<number>;
  /** GETs JSON. */
  getJson<T>(path: string): Promise<T>;
}

const WAIT_MS = 200;
const TRIES = 300;

export function standInApi(httpPort: number): StandInApi {
  const url = (path: string): string => `http://127.0.0.1:${httpPort}/api/v1${path}`;
  return {
    async send(path, method, body, headers = {}) {
      for (let tries = 0; tries < TRIES; tries += 1) {
        const res = await request(url(path), { method, headers, body });
        if (res.status !== 429) return res.status;
        await new Promise((r) => setTimeout(r, WAIT_MS));
      }
      throw new Error(`${method} ${path}: still rate-limited after a minute`);
    },
    async getJson<T>(path: string): Promise<T> {
      let last = '';
      for (let tries = 0; tries < TRIES; tries += 1) {
        const res = await request(url(path));
        if (res.status === 200) return JSON.parse(res.body.toString()) as T;
        last = `${res.status} ${res.body.toString()}`;
        if (res.status !== 429 && res.status !== 502) break;
        await new Promise((r) => setTimeout(r, WAIT_MS));
      }
      throw new Error(`GET ${path}: ${last}`);
    },
  };
}
