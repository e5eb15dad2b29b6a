import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface RawAnswer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  /** Over https: the SHA-256 fingerprint of the certificate the server presented. */
  fingerprint?: string;
}

export interface RawOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * A request through node:http, so tests can send headers fetch would not let them forge (Host,
 * Origin, Cookie) and read headers fetch hides (Set-Cookie). An event stream answers with its
 * first bytes: it never ends by itself. An https base is asked without checking the certificate
 * (self-signed); the answer says which certificate it was, for the test to compare.
 */
export function rawRequest(
  base: string,
  path: string,
  options: RawOptions = {},
): Promise<RawAnswer> {
  const target = new URL(path, base);
  const secure = target.protocol === 'https:';
  const send = secure ? httpsRequest : request;
  return new Promise((resolve, reject) => {
    const req = send(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
        ...(secure ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        const fingerprint = secure
          ? (res.socket as TLSSocket).getPeerCertificate().fingerprint256
          : undefined;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (res.headers['content-type']?.startsWith('text/event-stream')) res.destroy();
        });
        const done = () =>
          resolve({
            status: res.statusCode ?? 0,
            body,
            headers: res.headers,
            ...(fingerprint ? { fingerprint } : {}),
          });
        res.on('end', done);
        res.on('close', done);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
