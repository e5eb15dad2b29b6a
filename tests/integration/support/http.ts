/**
 * HTTP for integration tests, on node:http rather than fetch: a published port answers before the
 * service behind it listens (docker-proxy accepts, then closes), and Node 20's fetch can wait forever
 * on such a connection. Here every request has a deadline and a closed connection is an error.
 * An https URL (serve beyond loopback, with its self-signed certificate) is asked without checking
 * the certificate; the answer says which one it was, for the test to compare.
 */
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  /** The body parsed as JSON; the caller names the shape it expects. */
  json<T>(): T;
  /** Over https: the SHA-256 fingerprint of the certificate the server presented. */
  readonly fingerprint?: string;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
  readonly timeoutMs?: number;
}

export function request(url: string, options: RequestOptions = {}): Promise<HttpResponse> {
  const { method = 'GET', headers = {}, body, timeoutMs = 10_000 } = options;
  return new Promise((resolve, reject) => {
    const secure = url.startsWith('https:');
    const send = secure ? https.request : http.request;
    const tls = secure ? { rejectUnauthorized: false } : {};
    const req = send(url, { method, headers, agent: false, timeout: timeoutMs, ...tls }, (res) => {
      const fingerprint = secure
        ? (res.socket as TLSSocket).getPeerCertificate().fingerprint256
        : undefined;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: buf,
          json: <T>() => JSON.parse(buf.toString('utf8')) as T,
          ...(fingerprint ? { fingerprint } : {}),
        });
      });
    });
    req.on('timeout', () =>
      req.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends a JSON body (or none) and returns the status with the parsed JSON answer. */
export async function requestJson<T>(
  url: string,
  method = 'GET',
  payload?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await request(url, {
    method,
    ...(payload === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) }),
  });
  return { status: res.status, body: res.json<T>() };
}
