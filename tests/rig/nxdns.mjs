// A DNS server that answers NXDOMAIN to every question. up.sh runs it on the rig bridge's address
// (port 53) and gives that address to the rig's dockerd as the containers' DNS server.
//
// Why: Docker's embedded DNS (127.0.0.11) forwards every name it does not know, for example a
// container that is stopped, to the upstream server; when the upstream never answers, the embedded
// DNS answers nothing either, and every lookup of such a name hangs for glibc's full 20 s. With this
// server a missing name fails at once, as it would on a real network, and no query leaves the machine.
//
// Usage: node nxdns.mjs <listen address> [port]
import dgram from 'node:dgram';

const [address, port = '53'] = process.argv.slice(2);
if (!address) {
  process.stderr.write('usage: node nxdns.mjs <listen address> [port]\n');
  process.exit(2);
}

/** The reply to a query: its header with QR, RA and NXDOMAIN set, and its question echoed. */
function nxdomain(query) {
  if (query.length < 12 || (query[2] & 0x80) !== 0) return null; // too short, or not a query
  let off = 12;
  const questions = query.readUInt16BE(4);
  for (let q = 0; q < questions; q++) {
    while (off < query.length && query[off] !== 0) {
      if ((query[off] & 0xc0) !== 0) return null; // no compression in questions we answer
      off += query[off] + 1;
    }
    off += 5; // the terminating zero, QTYPE and QCLASS
    if (off > query.length) return null;
  }
  const reply = Buffer.from(query.subarray(0, off));
  reply[2] = 0x80 | (query[2] & 0x79); // QR, same opcode, RD kept
  reply[3] = 0x80 | 0x03; // RA, RCODE 3 (NXDOMAIN)
  reply.writeUInt16BE(0, 6); // no answers,
  reply.writeUInt16BE(0, 8); // no authority,
  reply.writeUInt16BE(0, 10); // no additional records
  return reply;
}

const socket = dgram.createSocket('udp4');
socket.on('message', (msg, peer) => {
  const reply = nxdomain(msg);
  if (reply) socket.send(reply, peer.port, peer.address);
});
socket.on('error', (e) => {
  process.stderr.write(`nxdns: ${e.message}\n`);
  process.exit(1);
});
socket.bind(Number(port), address, () =>
  process.stdout.write(`nxdns: answering NXDOMAIN on ${address}:${port}\n`),
);
for (const signal of ['SIGTERM', 'SIGINT'])
  process.on(signal, () => socket.close(() => process.exit(0)));
