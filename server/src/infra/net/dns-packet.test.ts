import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, TYPE, type DnsMessage } from './dns-packet.js';
import { assemble, fingerprintPrefix, SERVICE } from './mdns.js';

const INSTANCE = `MediaNest on nas.${SERVICE}`;

const answer: DnsMessage = {
  id: 7,
  response: true,
  questions: [{ name: SERVICE, type: TYPE.PTR }],
  records: [
    { name: SERVICE, type: TYPE.PTR, ttl: 4500, data: INSTANCE },
    {
      name: INSTANCE,
      type: TYPE.SRV,
      ttl: 120,
      flush: true,
      data: { priority: 0, weight: 0, port: 7420, target: 'nas.local' },
    },
    {
      name: INSTANCE,
      type: TYPE.TXT,
      ttl: 4500,
      flush: true,
      data: ['v=1', 'fp=0123456789ABCDEF'],
    },
    { name: 'nas.local', type: TYPE.A, ttl: 120, flush: true, data: '192.168.1.20' },
    { name: 'nas.local', type: TYPE.AAAA, ttl: 120, flush: true, data: 'fd00:0:0:0:0:0:0:20' },
  ],
};

describe('DNS messages', () => {
  it('reads back what it writes', () => {
    const read = decodeMessage(encodeMessage(answer));
    expect(read?.id).toBe(7);
    expect(read?.response).toBe(true);
    expect(read?.questions).toEqual(answer.questions);
    expect(read?.records).toEqual(
      answer.records.map((r) => ({
        flush: false,
        ...r,
        ...(r.type === TYPE.AAAA ? { data: 'fd00:0:0:0:0:0:0:20' } : {}),
      })),
    );
  });

  it('follows compression pointers, as other responders write them', () => {
    // Header, then the question "a.local" at offset 12, and a PTR answer whose name points to it.
    const question = Buffer.from([1, 0x61, 5, ...Buffer.from('local'), 0, 0, 12, 0, 1]);
    const rdata = Buffer.from([1, 0x62, 0xc0, 12]); // "b" + pointer to "a.local"
    const record = Buffer.concat([
      Buffer.from([0xc0, 12, 0, 12, 0, 1, 0, 0, 0, 10, 0, rdata.length]),
      rdata,
    ]);
    const header = Buffer.from([0, 1, 0x84, 0, 0, 1, 0, 1, 0, 0, 0, 0]);
    const read = decodeMessage(Buffer.concat([header, question, record]));
    expect(read?.records).toEqual([
      { name: 'a.local', type: TYPE.PTR, ttl: 10, flush: false, data: 'b.a.local' },
    ]);
  });

  it('refuses malformed packets rather than half reading them', () => {
    const good = encodeMessage(answer);
    expect(decodeMessage(good.subarray(0, good.length - 3))).toBeUndefined();
    expect(decodeMessage(Buffer.from([0, 1]))).toBeUndefined();
    // A pointer to itself (a loop) and a pointer forwards.
    const loop = Buffer.from([0, 1, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 12, 0, 1]);
    expect(decodeMessage(loop)).toBeUndefined();
    const forward = Buffer.from([0, 1, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 40, 0, 12, 0, 1]);
    expect(decodeMessage(forward)).toBeUndefined();
    // An A record of 5 bytes.
    const badA = Buffer.from(encodeMessage({ ...answer, records: [answer.records[3]!] }));
    badA.writeUInt16BE(5, badA.length - 6);
    expect(decodeMessage(Buffer.concat([badA, Buffer.from([1])]))).toBeUndefined();
  });

  it('refuses to write a label over 63 bytes', () => {
    expect(() =>
      encodeMessage({
        id: 0,
        response: false,
        questions: [{ name: `${'x'.repeat(64)}.local`, type: TYPE.A }],
        records: [],
      }),
    ).toThrow(/1 to 63 bytes/);
  });
});

describe('assemble', () => {
  it('puts each service together from its PTR, SRV, TXT and A records', () => {
    expect(assemble(answer.records)).toEqual([
      {
        name: 'MediaNest on nas',
        host: 'nas.local',
        addresses: ['192.168.1.20'],
        port: 7420,
        fingerprintPrefix: '0123456789ABCDEF',
      },
    ]);
  });

  it('leaves out a service said goodbye to, one without an address, and a malformed fingerprint', () => {
    const [ptr, srv, txt] = answer.records;
    expect(assemble([{ ...ptr!, ttl: 0 }, srv!, txt!, answer.records[3]!])).toEqual([]);
    expect(assemble([ptr!, srv!, txt!])).toEqual([]);
    const odd = { ...txt!, data: ['fp=<script>'] } as typeof txt;
    expect(assemble([ptr!, srv!, odd!, answer.records[3]!])[0]?.fingerprintPrefix).toBeUndefined();
  });

  it('takes the first 8 bytes of a fingerprint', () => {
    expect(fingerprintPrefix('AB:CD:EF:01:23:45:67:89:AA:BB')).toBe('ABCDEF0123456789');
  });
});
