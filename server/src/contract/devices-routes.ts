import { z } from 'zod';
import { route } from './route-def.js';

/** What a device sends to pair (docs/remote.md "Pairing"): its name, a nonce and its proof. */
export const PairRequestSchema = z.object({
  deviceName: z.string().min(1).max(64),
  nonce: z.string().regex(/^[0-9a-f]{64}$/, 'nonce: expected 64 hex digits.'),
  proof: z.string().regex(/^[0-9a-f]{64}$/, 'proof: expected 64 hex digits.'),
});

export const PairedSchema = z.object({
  deviceId: z.string(),
  /** The device's bearer token: given once, kept by the appliance only as a hash. */
  token: z.string(),
  /** The appliance's own proof of the code (the device checks it). */
  applianceProof: z.string(),
  fingerprint: z.string(),
});

export const PairingCodeSchema = z.object({
  /** `ABCDE-FGHJK`: typed on the device within 10 minutes, once. */
  code: z.string(),
  expiresAt: z.string(),
  /** The certificate fingerprint the device must see. */
  fingerprint: z.string(),
});

export const DeviceSchema = z.object({
  id: z.string(),
  name: z.string(),
  pairedAt: z.string(),
  lastSeenAt: z.string().optional(),
  lastAddress: z.string().optional(),
});
export type Device = z.infer<typeof DeviceSchema>;

export const devicesRoutes = {
  /** A device pairs with a code (no sign-in: the proof of the code is the credential). */
  pair: route('POST', '/api/pair', { input: PairRequestSchema, output: PairedSchema, auth: false }),
  /** A new one-time pairing code, with the fingerprint to compare. 409 without HTTPS. */
  pairingCode: route('POST', '/api/devices/pairing-code', { output: PairingCodeSchema }),
  /** The paired devices (never their tokens). */
  devices: route('GET', '/api/devices', { output: z.object({ devices: z.array(DeviceSchema) }) }),
  /** Revokes a device: its token is refused from now on, its event streams close. Unknown id: 404. */
  revokeDevice: route('POST', '/api/devices/:id/revoke', {
    input: z.object({ id: z.string().min(1) }),
    output: z.object({ revoked: z.string() }),
  }),
};
