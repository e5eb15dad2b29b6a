/**
 * A published port in a home user's words. Docker writes `0.0.0.0:8620->80/tcp` (and `[::]:…`,
 * `127.0.0.1:…`); what matters to the user is who can reach it and at which number.
 */
export function portWords(spec: string): string {
  const match = /^(.*):(\d+)->(\d+)\/(tcp|udp)$/.exec(spec);
  if (!match) return spec;
  const [, host = '', port = ''] = match;
  const ip = host.replace(/^\[|\]$/g, '');
  const local = ip === '127.0.0.1' || ip === '::1' || ip === 'localhost';
  const everywhere = ip === '' || ip === '0.0.0.0' || ip === '::';
  if (local) return `Only on this computer, port ${port}`;
  if (everywhere) return `Open to your network on port ${port}`;
  return `Port ${port}, on the address ${ip} only`;
}

/**
 * Every published port once, in words: Docker lists a port twice when it listens on IPv4 and
 * IPv6 (`0.0.0.0:8620` and `[::]:8620`), which the user does not care to read twice.
 */
export function portsInWords(specs: readonly string[]): string[] {
  return [...new Set(specs.map(portWords))];
}

/** What the ports line means, as a tooltip. */
export function portsTooltip(specs: readonly string[]): string {
  return specs.length
    ? 'Where other devices reach this service: "open to your network" means any device on your home network can connect at this computer\'s address and that port.'
    : 'No other device can connect to this service directly; only the other services use it.';
}
