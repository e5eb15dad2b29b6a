/**
 * Ports for a test's stack. They come from below the kernel's ephemeral range (32768-60999 here):
 * a port from inside it, free when the test picked it, can be the local end of some outgoing
 * connection a moment later, and `up` then rightly refuses it as "already in use" (a CI run failed
 * so). Each port is also checked free now, so a stack another test file left running is not hit.
 */
import { createServer } from 'node:net';

const LOW = 20_000;
const HIGH = 32_000;

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, () => probe.close(() => resolve(true)));
  });
}

/** `count` consecutive ports (HTTP, HTTPS, ...) nothing listens on, from a random start. */
export async function freeStackPorts(count = 2): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const first = LOW + Math.floor(Math.random() * (HIGH - LOW - count));
    const ports = Array.from({ length: count }, (_, i) => first + i);
    const free = await Promise.all(ports.map(canListen));
    if (free.every(Boolean)) return ports;
  }
  throw new Error(`no ${count} free consecutive ports between ${LOW} and ${HIGH}`);
}

/** One port for a stack's HTTP (its HTTPS port, when needed, is the next one, also free). */
export async function freeHttpPort(): Promise<number> {
  return (await freeStackPorts(2))[0] as number;
}
