/**
 * Finding appliances on the LAN (issue 21 §4): DNS-SD over multicast DNS (RFC 6762, 6763). An
 * appliance serving beyond loopback answers for `_medianest-appliance._tcp.local` with its name,
 * port, addresses and its certificate fingerprint's prefix (TXT `fp=`); a desktop asks once from a
 * port of its own and gathers the answers for a moment. IPv4 only, on every interface that is up
 * and not loopback. Nothing here is trusted: the fingerprint prefix only helps the user compare,
 * pairing's proof is what binds the certificate.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { decodeMessage, encodeMessage, TYPE, type DnsRecord } from './dns-packet.js';

export const SERVICE = '_medianest-appliance._tcp.local';
const GROUP = '224.0.0.251';
const MDNS_PORT = 5353;

export interface Announcement {
  /** The instance's label, e.g. "MediaNest on nas". */
  instance: string;
  /** This machine's name, without `.local`. */
  host: string;
  port: number;
  /** SHA-256 of the certificate, `AB:CD:...`: its first 8 bytes go in the TXT record. */
  fingerprint: string;
}

export interface Nearby {
  name: string;
  host: string;
  addresses: string[];
  port: number;
  fingerprintPrefix?: string;
}

interface Interface4 {
  address: string;
  netmask: string;
}

function interfaces4(): Interface4[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((i) => i.family === 'IPv4' && !i.internal)
    .map(({ address, netmask }) => ({ address, netmask }));
}

const toInt = (address: string): number =>
  address.split('.').reduce((n, part) => ((n << 8) | Number(part)) >>> 0, 0);

function sameSubnet(a: string, b: Interface4): boolean {
  const mask = toInt(b.netmask);
  return (toInt(a) & mask) >>> 0 === (toInt(b.address) & mask) >>> 0;
}

/** The first 8 bytes of a fingerprint, as 16 hex digits. */
export const fingerprintPrefix = (fingerprint: string): string =>
  fingerprint.replace(/:/g, '').slice(0, 16).toUpperCase();

/** A DNS label from `text`: at most 63 bytes, no dots. */
function label(text: string): string {
  let out = text.replace(/\./g, '-');
  while (Buffer.byteLength(out, 'utf8') > 63) out = out.slice(0, -1);
  return out || 'MediaNest';
}

function bound(socket: Socket, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

/**
 * Answers for this appliance on the LAN until `stop()` (which says goodbye: TTL 0). Rejects when
 * the mDNS port cannot be bound (another responder that does not share it).
 */
export async function announce(
  service: Announcement,
  onError: (error: Error) => void = () => undefined,
): Promise<{ stop: () => Promise<void> }> {
  const host = `${label(service.host)}.local`;
  const instance = `${label(service.instance)}.${SERVICE}`;
  const records = (ttlScale: number, addresses: string[], legacy: boolean): DnsRecord[] => {
    const flush = !legacy;
    const ttl = (seconds: number) => Math.min(legacy ? 10 : seconds, seconds) * ttlScale;
    return [
      { name: SERVICE, type: TYPE.PTR, ttl: ttl(4500), data: instance },
      {
        name: instance,
        type: TYPE.SRV,
        ttl: ttl(120),
        flush,
        data: { priority: 0, weight: 0, port: service.port, target: host },
      },
      {
        name: instance,
        type: TYPE.TXT,
        ttl: ttl(4500),
        flush,
        data: ['v=1', `fp=${fingerprintPrefix(service.fingerprint)}`],
      },
      ...addresses.map((data): DnsRecord => ({
        name: host,
        type: TYPE.A,
        ttl: ttl(120),
        flush,
        data,
      })),
    ];
  };
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  socket.on('error', onError);
  await bound(socket, MDNS_PORT);
  const joined = interfaces4();
  for (const nic of joined) {
    try {
      socket.addMembership(GROUP, nic.address);
    } catch (error) {
      onError(error as Error);
    }
  }
  socket.setMulticastTTL(255);
  const asksForUs = (name: string, type: number): boolean => {
    const n = name.toLowerCase();
    const any = type === TYPE.ANY;
    return (
      (n === SERVICE && (type === TYPE.PTR || any)) ||
      (n === instance.toLowerCase() && (type === TYPE.SRV || type === TYPE.TXT || any)) ||
      (n === host.toLowerCase() && (type === TYPE.A || any))
    );
  };
  /** To the group on each interface (or one), as an unsolicited answer. */
  const toGroup = (ttlScale: number, only?: Interface4): void => {
    for (const nic of only ? [only] : joined) {
      const packet = encodeMessage({
        id: 0,
        response: true,
        questions: [],
        records: records(ttlScale, [nic.address], false),
      });
      try {
        socket.setMulticastInterface(nic.address);
        socket.send(packet, MDNS_PORT, GROUP);
      } catch (error) {
        onError(error as Error);
      }
    }
  };
  socket.on('message', (msg: Buffer, from: RemoteInfo) => {
    const query = decodeMessage(msg);
    if (!query || query.response) return;
    const asked = query.questions.filter((q) => asksForUs(q.name, q.type));
    if (asked.length === 0) return;
    const nic = joined.find((i) => sameSubnet(from.address, i));
    const addresses = nic ? [nic.address] : joined.map((i) => i.address);
    if (from.port !== MDNS_PORT) {
      // A one-shot query from a port of its own (RFC 6762 §6.7): answered to it directly.
      const reply = encodeMessage({
        id: query.id,
        response: true,
        questions: asked,
        records: records(1, addresses, true),
      });
      socket.send(reply, from.port, from.address);
    } else {
      toGroup(1, nic);
    }
  });
  // Announced twice, a second apart (RFC 6762 §8.3).
  toGroup(1);
  const again = setTimeout(() => toGroup(1), 1000);
  again.unref();
  return {
    stop: async () => {
      clearTimeout(again);
      toGroup(0);
      await new Promise<void>((resolve) => setTimeout(resolve, 20));
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}

/** Asks the LAN for appliances and gathers the answers for `ms`. */
export async function browseNearby(ms = 1500): Promise<{ found: Nearby[]; interfaces: number }> {
  const nics = interfaces4();
  if (nics.length === 0) return { found: [], interfaces: 0 };
  const socket = createSocket({ type: 'udp4' });
  const heard: DnsRecord[] = [];
  socket.on('message', (msg: Buffer) => {
    const answer = decodeMessage(msg);
    if (answer?.response) heard.push(...answer.records);
  });
  socket.on('error', () => undefined);
  await bound(socket, 0);
  const id = randomInt(1, 0xffff);
  const query = encodeMessage({
    id,
    response: false,
    questions: [{ name: SERVICE, type: TYPE.PTR }],
    records: [],
  });
  for (const nic of nics) {
    try {
      socket.setMulticastInterface(nic.address);
      socket.send(query, MDNS_PORT, GROUP);
    } catch {
      // an interface without multicast: the others are asked
    }
  }
  await new Promise((resolve) => setTimeout(resolve, ms));
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return { found: assemble(heard), interfaces: nics.length };
}

/** The services named by PTR answers, with their SRV, TXT and A records. */
export function assemble(records: DnsRecord[]): Nearby[] {
  const lower = (s: string) => s.toLowerCase();
  const instances = new Set(
    records
      .filter((r) => r.type === TYPE.PTR && lower(r.name) === SERVICE && r.ttl > 0)
      .map((r) => r.data as string),
  );
  const found: Nearby[] = [];
  for (const instance of instances) {
    const srv = records.find((r) => r.type === TYPE.SRV && lower(r.name) === lower(instance));
    if (srv?.type !== TYPE.SRV) continue;
    const txt = records.find((r) => r.type === TYPE.TXT && lower(r.name) === lower(instance));
    const fp = txt?.type === TYPE.TXT ? txt.data.find((e) => e.startsWith('fp=')) : undefined;
    const target = lower(srv.data.target);
    const addresses = [
      ...new Set(
        records
          .filter((r) => r.type === TYPE.A && lower(r.name) === target)
          .map((r) => r.data as string),
      ),
    ];
    if (addresses.length === 0) continue;
    found.push({
      name: instance.slice(0, instance.length - SERVICE.length - 1),
      host: srv.data.target,
      addresses,
      port: srv.data.port,
      ...(fp && /^fp=[0-9A-F]{16}$/.test(fp) ? { fingerprintPrefix: fp.slice(3) } : {}),
    });
  }
  return found;
}
