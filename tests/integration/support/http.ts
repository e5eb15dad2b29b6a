/**
 * HTTP for integration tests, on node:http rather than fetch: a published port answers before the
 * service behind it listens (docker-proxy accepts, then closes), and Node 20's fetch can wait forever
 * on such a connection. Here every request has a deadline and a closed connection is an error.
 */
import http from 'node:http';

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  /** The body parsed as JSON; the caller names the shape it expects. */
  json<T>(): T;
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
    const req = http.request(url, { method, headers, agent: false, timeout: timeoutMs }, (res) => {
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
