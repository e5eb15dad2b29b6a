/**
 * The desktop's side of pairing (issue 21 §2): given an appliance's address and the code it shows,
 * look at the certificate it presents, prove the code over that certificate's fingerprint, check
 * the appliance's own proof, and keep the token with the fingerprint pinned. The exchange itself
 * is in core/auth/pairing.ts; the network goes through `PairingNet` (infra/net/pinned-https.ts).
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../app-error.js';
import { normalizeCode, pairingProof } from '../auth/pairing.js';

export interface PairingNet {
  /** The fingerprint of the certificate the appliance at `address` presents now. */
  fingerprintOf(address: string): Promise<string>;
  /** POSTs JSON to `url`, only over a certificate whose fingerprint is `pinned`. */
  post(url: string, body: unknown, pinned: string): Promise<{ status: number; body: string }>;
}

export interface PairedAppliance {
  /** `https://host:port`, as the user gave it (normalised to its origin). */
  address: string;
  deviceId: string;
  token: string;
  /** The certificate seen at pairing, checked on every later connection. */
  fingerprint: string;
}

function origin(address: string): string {
  let url: URL;
  try {
    url = new URL(address.includes('://') ? address : `https://${address}`);
  } catch {
    throw new AppError('validation_failed', `address: "${address}" is not an address.`, {
      field: 'address',
    });
  }
  if (url.protocol !== 'https:')
    throw new AppError(
      'validation_failed',
      'address: an appliance is paired over HTTPS only (https://host:7420).',
      { field: 'address' },
    );
  return url.origin;
}

/** Pairs this device with the appliance at `address` using the code it shows. */
export async function pairWith(
  net: PairingNet,
  request: { address: string; code: string; deviceName: string },
): Promise<PairedAppliance> {
  const address = origin(request.address);
  const code = normalizeCode(request.code);
  if (!/^[0-9A-HJKMNP-TV-Z]{10}$/.test(code))
    throw new AppError(
      'validation_failed',
      'code: 10 letters and digits, as the appliance shows it.',
      {
        field: 'code',
      },
    );
  const nonce = randomBytes(32).toString('hex');
  // The certificate this connection shows is the one the proof covers, and the one pinned.
  const fingerprint = await net.fingerprintOf(address);
  const deviceName = request.deviceName;
  const proof = pairingProof('device', code, { fingerprint, nonce, deviceName });
  const answer = await net.post(`${address}/api/pair`, { deviceName, nonce, proof }, fingerprint);
  if (answer.status !== 200) {
    let message = `The appliance answered ${answer.status}.`;
    try {
      message = (JSON.parse(answer.body) as { error: { message: string } }).error.message;
    } catch {
      // not the API's error body: the status says enough
    }
    throw new AppError(answer.status === 429 ? 'rate_limited' : 'unauthorized', message);
  }
  const paired = JSON.parse(answer.body) as {
    deviceId: string;
    token: string;
    applianceProof: string;
  };
  const expected = pairingProof('appliance', code, {
    fingerprint,
    nonce,
    deviceName,
    token: paired.token,
  });
  if (paired.applianceProof !== expected) {
    throw new AppError(
      'unauthorized',
      `The appliance at ${address} did not prove that it knows the code: not paired.`,
    );
  }
  return { address, deviceId: paired.deviceId, token: paired.token, fingerprint };
}
