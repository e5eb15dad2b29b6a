/**
 * The few DNS messages DNS-SD over mDNS needs (RFC 1035, 6762, 6763): a question, and answers of
 * type PTR, SRV, TXT, A and AAAA. Written without name compression; read with it. A packet from
 * the network is hostile: every length and pointer is checked, and a malformed one is refused
 * (`undefined`), never half read.
 */
import { isIP } from 'node:net';

export const TYPE = { A: 1, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, ANY: 255 } as const;
const CLASS_IN = 1;
/** mDNS: in a question, "unicast response wanted"; in an answer, "flush your cache of this name". */
const TOP_BIT = 0x8000;
const MAX_POINTERS = 32;

export interface Question {
  name: string;
  type: number;
}

export type RecordData =
  | { type: typeof TYPE.PTR; data: string }
  | {
      type: typeof TYPE.SRV;
      data: { priority: number; weight: number; port: number; target: string };
    }
  | { type: typeof TYPE.TXT; data: string[] }
  | { type: typeof TYPE.A; data: string }
  | { type: typeof TYPE.AAAA; data: string };

export type DnsRecord = RecordData & { name: string; ttl: number; flush?: boolean };

export interface DnsMessage {
  id: number;
  response: boolean;
  questions: Question[];
  /** Answers, authority and additional records together. */
  records: DnsRecord[];
}

function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.');
  const parts: Buffer[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'utf8');
    if (bytes.length === 0 || bytes.length > 63)
      throw new Error(`DNS label "${label}" must be 1 to 63 bytes`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value);
  return b;
}

function encodeData(record: RecordData): Buffer {
  switch (record.type) {
    case TYPE.PTR:
      return encodeName(record.data);
    case TYPE.SRV:
      return Buffer.concat([
        u16(record.data.priority),
        u16(record.data.weight),
        u16(record.data.port),
        encodeName(record.data.target),
      ]);
    case TYPE.TXT:
      return Buffer.concat(
        (record.data.length ? record.data : ['']).map((entry) => {
          const bytes = Buffer.from(entry, 'utf8');
          if (bytes.length > 255) throw new Error('a TXT entry is at most 255 bytes');
          return Buffer.concat([Buffer.from([bytes.length]), bytes]);
        }),
      );
    case TYPE.A:
      return Buffer.from(record.data.split('.').map(Number));
    case TYPE.AAAA: {
      const groups = expandIpv6(record.data);
      return Buffer.concat(groups.map((g) => u16(parseInt(g, 16))));
    }
  }
}

function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  return [
    ...left,
    ...Array.from({ length: tail === undefined ? 0 : missing }, () => '0'),
    ...right,
  ];
}

export function encodeMessage(message: DnsMessage): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(message.id, 0);
  header.writeUInt16BE(message.response ? 0x8400 : 0, 2); // response + authoritative
  header.writeUInt16BE(message.questions.length, 4);
  header.writeUInt16BE(message.records.length, 6);
  const questions = message.questions.map((q) =>
    Buffer.concat([encodeName(q.name), u16(q.type), u16(CLASS_IN)]),
  );
  const records = message.records.map((r) => {
    const data = encodeData(r);
    const ttl = Buffer.alloc(4);
    ttl.writeUInt32BE(r.ttl);
    return Buffer.concat([
      encodeName(r.name),
      u16(r.type),
      u16(CLASS_IN | (r.flush ? TOP_BIT : 0)),
      ttl,
      u16(data.length),
      data,
    ]);
  });
  return Buffer.concat([header, ...questions, ...records]);
}

class Reader {
  constructor(
    readonly buf: Buffer,
    public at = 0,
  ) {}

  need(n: number): void {
    if (this.at + n > this.buf.length) throw new RangeError('truncated');
  }
  u8(): number {
    this.need(1);
    return this.buf.readUInt8(this.at++);
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.at);
    this.at += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }

  /** A name, following compression pointers (only backwards, at most MAX_POINTERS). */
  name(): string {
    const labels: string[] = [];
    let at = this.at;
    let jumped = false;
    let pointers = 0;
    for (;;) {
      if (at >= this.buf.length) throw new RangeError('truncated name');
      const length = this.buf.readUInt8(at);
      if (length === 0) {
        at += 1;
        break;
      }
      if ((length & 0xc0) === 0xc0) {
        if (at + 1 >= this.buf.length) throw new RangeError('truncated pointer');
        const target = ((length & 0x3f) << 8) | this.buf.readUInt8(at + 1);
        if (target >= at || ++pointers > MAX_POINTERS) throw new RangeError('bad pointer');
        if (!jumped) this.at = at + 2;
        jumped = true;
        at = target;
        continue;
      }
      if (length > 63 || at + 1 + length > this.buf.length) throw new RangeError('bad label');
      labels.push(this.buf.toString('utf8', at + 1, at + 1 + length));
      at += 1 + length;
      if (labels.join('.').length > 255) throw new RangeError('name too long');
    }
    if (!jumped) this.at = at;
    return labels.join('.');
  }
}

function readRecord(r: Reader): DnsRecord | undefined {
  const name = r.name();
  const type = r.u16();
  const klass = r.u16();
  const ttl = r.u32();
  const length = r.u16();
  r.need(length);
  const end = r.at + length;
  const flush = (klass & TOP_BIT) !== 0;
  let record: DnsRecord | undefined;
  switch (type) {
    case TYPE.PTR:
      record = { name, ttl, flush, type, data: r.name() };
      break;
    case TYPE.SRV:
      record = {
        name,
        ttl,
        flush,
        type,
        data: { priority: r.u16(), weight: r.u16(), port: r.u16(), target: r.name() },
      };
      break;
    case TYPE.TXT: {
      const entries: string[] = [];
      while (r.at < end) {
        const n = r.u8();
        r.need(n);
        entries.push(r.buf.toString('utf8', r.at, r.at + n));
        r.at += n;
      }
      record = { name, ttl, flush, type, data: entries.filter((e) => e.length > 0) };
      break;
    }
    case TYPE.A:
      if (length !== 4) throw new RangeError('bad A record');
      record = { name, ttl, flush, type, data: [...r.buf.subarray(r.at, end)].join('.') };
      break;
    case TYPE.AAAA: {
      if (length !== 16) throw new RangeError('bad AAAA record');
      const groups: string[] = [];
      for (let i = 0; i < 8; i += 1) groups.push(r.buf.readUInt16BE(r.at + i * 2).toString(16));
      const address = groups.join(':');
      record = isIP(address) === 6 ? { name, ttl, flush, type, data: address } : undefined;
      break;
    }
    default:
      record = undefined; // a type we do not use: skipped
  }
  if (r.at > end) throw new RangeError('record overruns its length');
  r.at = end;
  return record;
}

/** The message in `buf`, or undefined when it is not a well-formed DNS message. */
export function decodeMessage(buf: Buffer): DnsMessage | undefined {
  try {
    const r = new Reader(buf);
    const id = r.u16();
    const flags = r.u16();
    const counts = [r.u16(), r.u16(), r.u16(), r.u16()] as const;
    const questions: Question[] = [];
    for (let i = 0; i < counts[0]; i += 1) {
      const name = r.name();
      const type = r.u16();
      r.u16(); // class (and the unicast-response bit)
      questions.push({ name, type });
    }
    const records: DnsRecord[] = [];
    const total = counts[1] + counts[2] + counts[3];
    for (let i = 0; i < total; i += 1) {
      const record = readRecord(r);
      if (record) records.push(record);
    }
    return { id, response: (flags & 0x8000) !== 0, questions, records };
  } catch {
    return undefined;
  }
}
