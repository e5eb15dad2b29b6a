'use strict';
// Just enough of Socket.IO's transport for a proxy test: the engine.io polling handshake and a
// WebSocket upgrade on /socket.io/ that greets and echoes text frames.
const crypto = require('node:crypto');

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function frame(opcode, payload) {
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([0x80 | opcode, len])
      : Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff]);
  return Buffer.concat([head, payload]);
}

/** Decodes complete client frames (masked, at most 64 KiB); returns [frames, rest]. */
function decode(buf) {
  const frames = [];
  let off = 0;
  while (buf.length - off >= 2) {
    const opcode = buf[off] & 0x0f;
    let len = buf[off + 1] & 0x7f;
    let p = off + 2;
    if (len === 126) {
      if (buf.length - off < 4) break;
      len = buf.readUInt16BE(off + 2);
      p = off + 4;
    } else if (len === 127) return [frames, Buffer.alloc(0), true];
    const masked = (buf[off + 1] & 0x80) !== 0;
    const need = p + (masked ? 4 : 0) + len;
    if (buf.length < need) break;
    const mask = masked ? buf.subarray(p, p + 4) : null;
    const data = Buffer.from(buf.subarray(need - len, need));
    if (mask) for (let i = 0; i < data.length; i++) data[i] ^= mask[i % 4];
    frames.push({ opcode, data });
    off = need;
  }
  return [frames, buf.subarray(off), false];
}

/** Answers the engine.io polling handshake; returns false for every other request. */
function handlePolling(req, res) {
  if (!req.url || !req.url.startsWith('/socket.io/') || !req.url.includes('transport=polling'))
    return false;
  const sid = crypto.randomBytes(10).toString('base64url');
  res.writeHead(200, { 'content-type': 'text/plain; charset=UTF-8' });
  res.end(
    `0${JSON.stringify({ sid, upgrades: ['websocket'], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1000000 })}`,
  );
  return true;
}

function attachSocketIo(server) {
  const open = new Set();
  server.on('upgrade', (req, socket) => {
    const key = req.headers['sec-websocket-key'];
    if (
      !req.url.startsWith('/socket.io/') ||
      (req.headers.upgrade || '').toLowerCase() !== 'websocket' ||
      !key
    ) {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      return;
    }
    const accept = crypto
      .createHash('sha1')
      .update(key + WS_GUID)
      .digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`,
    );
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.write(frame(1, Buffer.from(JSON.stringify({ type: 'hello', service: 'backend' }))));
    let pending = Buffer.alloc(0);
    socket.on('data', (d) => {
      const [frames, rest, tooBig] = decode(Buffer.concat([pending, d]));
      pending = rest;
      if (tooBig) return socket.destroy();
      for (const f of frames) {
        if (f.opcode === 8) return socket.end(frame(8, Buffer.alloc(0)));
        if (f.opcode === 9) socket.write(frame(10, f.data));
        else if (f.opcode === 1) socket.write(frame(1, f.data));
      }
    });
  });
  return {
    closeAll() {
      for (const s of open) s.end(frame(8, Buffer.from([0x03, 0xe9]))); // 1001 going away
      setTimeout(() => {
        for (const s of open) s.destroy();
      }, 1000).unref();
    },
  };
}

module.exports = { attachSocketIo, handlePolling };
