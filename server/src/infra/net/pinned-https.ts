/**
 * HTTPS to a paired appliance (issue 21 §2): its certificate is self-signed, so it is not checked
 * against any authority but pinned: every connection compares the SHA-256 fingerprint it is shown
 * with the one seen at pairing, before a byte of the request (its token) is sent.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Agent, request } from 'node:https';
import { connect } from 'node:tls';
import { AppError } from '../../core/app-error.js';
import type { PairingNet } from '../../core/remote/pair-with.js';

export interface PinnedAnswer {
  status: number;
  body: string;
}

const TIMEOUT_MS = 10_000;

function unreachable(url: URL, error: unknown): AppError {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  return new AppError(
    'appliance_unreachable',
    `The appliance at ${url.origin} cannot be reached (${code}).`,
  );
}

export interface PinnedOptions {
  pinned?: string;
  method?: string;
  headers?: Record<string, string>;
  /** A string, or a stream piped as it comes (a backup's upload). */
  body?: string | NodeJS.ReadableStream;
  seen?: (fingerprint: string) => void;
  /** Default 10 s without a byte either way; 0 for a stream that may stay quiet (events). */
  timeoutMs?: number;
}

/**
 * One request to `url` over TLS, answered as a stream (the caller reads or destroys it). With
 * `pinned`, a certificate whose fingerprint differs ends the connection before the request is
 * written; without it (pairing's first look), `seen` reports it.
 */
export function pinnedStream(url: string, options: PinnedOptions = {}): Promise<IncomingMessage> {
  const target = new URL(url);
  if (target.protocol !== 'https:') {
    return Promise.reject(
      new AppError('validation_failed', `address: ${target.origin} is not an https:// address.`, {
        field: 'address',
      }),
    );
  }
  return new Promise((resolve, reject) => {
    let refused: AppError | undefined;
    // The request gets its socket only once the certificate was compared: nothing is written to a
    // connection whose certificate is not the pinned one.
    const createConnection = (
      _options: unknown,
      handOver: (error: Error | null, socket?: Socket) => void,
    ): undefined => {
      const socket = connect({
        host: target.hostname.replace(/^\[|\]$/g, ''),
        port: Number(target.port || 443),
        rejectUnauthorized: false,
      });
      socket.once('secureConnect', () => {
        const fingerprint = socket.getPeerCertificate().fingerprint256;
        options.seen?.(fingerprint);
        if (options.pinned && fingerprint !== options.pinned) {
          refused = new AppError(
            'certificate_changed',
            `The appliance at ${target.origin} presents the certificate ${fingerprint}, not the one paired (${options.pinned}). Nothing was sent. If the appliance made a new certificate, pair this device again; otherwise something between you and it is impersonating it.`,
            { seen: fingerprint, pinned: options.pinned },
          );
          socket.destroy();
          handOver(refused);
          return;
        }
        handOver(null, socket);
      });
      socket.once('error', (error: Error) => handOver(error));
      return undefined;
    };
    // An agent of its own for this one request, whose sockets come from `createConnection` above.
    const agent = Object.assign(new Agent({ keepAlive: false }), { createConnection });
    const timeout = options.timeoutMs ?? TIMEOUT_MS;
    const req = request(target, {
      method: options.method ?? 'GET',
      headers: options.headers,
      agent,
      ...(timeout > 0 ? { timeout } : {}),
    });
    req.on('response', resolve);
    req.on('timeout', () => req.destroy(new Error('ETIMEDOUT')));
    req.on('error', (error) => reject(refused ?? unreachable(target, error)));
    const body = options.body;
    if (body === undefined || typeof body === 'string') req.end(body);
    else body.pipe(req);
  });
}

/** One request to `url` over pinned TLS, its answer read whole (small JSON answers). */
export async function pinnedRequest(
  url: string,
  options: PinnedOptions = {},
): Promise<PinnedAnswer> {
  const res = await pinnedStream(url, options);
  return new Promise((resolve, reject) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (body += chunk));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    res.on('error', (error) => reject(unreachable(new URL(url), error)));
  });
}

/** What pairing needs of the network (core/remote/pair-with.ts), over pinned HTTPS. */
export const pinnedPairingNet: PairingNet = {
  async fingerprintOf(address: string): Promise<string> {
    let seen: string | undefined;
    await pinnedRequest(`${address}/api/health`, { seen: (f) => (seen = f) });
    if (!seen)
      throw new AppError(
        'appliance_unreachable',
        `The appliance at ${address} showed no certificate.`,
      );
    return seen;
  },
  post: (url: string, body: unknown, pinned: string) =>
    pinnedRequest(url, {
      pinned,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
};
