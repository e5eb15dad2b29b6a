/** One network interface address, as the OS lists it (node's os.networkInterfaces() entries). */
export interface InterfaceAddress {
  /** The interface's name (`eth0`, `docker0`, `br-1a2b…`), when known. */
  name?: string;
  address: string;
  family: string | number;
  internal: boolean;
}

export interface MediaNestAddress {
  /** The address to give others: the domain, else this computer's first home-network address. */
  url: string;
  /** Further addresses that reach it (another network card, this computer itself). */
  others: string[];
}

type Settings = Record<string, unknown>;

const port = (value: unknown, fallback: number): number =>
  typeof value === 'number' ? value : fallback;

/**
 * Where people open MediaNest, from the stored settings: `https://<domain>/` with HTTPS, the domain
 * on the HTTP port without it, else this computer's home-network (private IPv4) addresses on the
 * HTTP port, with `localhost` last. Undefined before anything is installed.
 */
export function mediaNestAddress(
  settings: Settings,
  interfaces: InterfaceAddress[],
): MediaNestAddress | undefined {
  if (Object.keys(settings).length === 0) return undefined;
  const httpPort = port(settings.httpPort, 80);
  const httpsPort = port(settings.httpsPort, 443);
  const profiles = Array.isArray(settings.profiles) ? settings.profiles : [];
  const withPort = (scheme: 'http' | 'https', host: string, p: number) =>
    `${scheme}://${host}${p === (scheme === 'http' ? 80 : 443) ? '' : `:${p}`}/`;
  const local = withPort('http', 'localhost', httpPort);
  if (typeof settings.domain === 'string' && settings.domain) {
    const url = profiles.includes('tls')
      ? withPort('https', settings.domain, httpsPort)
      : withPort('http', settings.domain, httpPort);
    return { url, others: [local] };
  }
  const lan = interfaces
    .filter((i) => !i.internal && (i.family === 'IPv4' || i.family === 4))
    // Container and VM bridges are not reachable from another device.
    .filter((i) => !isVirtualBridge(i.name) && !isDockerBridge(i.address))
    .map((i) => i.address);
  const urls = [...new Set(lan)].sort(byHomeNetworkFirst).map((a) => withPort('http', a, httpPort));
  const [url = local, ...others] = [...urls, local];
  return { url, others: others.filter((o) => o !== url) };
}

/**
 * Bridges that engines and hypervisors make for their guests: Docker's `docker0` and `br-<id>` (a
 * compose network on any subnet), their `veth` ends, libvirt's `virbr`, Podman's and CNI's.
 */
const VIRTUAL_BRIDGE = /^(docker\d|br-[0-9a-f]{6,}|veth|virbr|podman|cni|flannel|vboxnet|vmnet)/;

function isVirtualBridge(name: string | undefined): boolean {
  return name !== undefined && VIRTUAL_BRIDGE.test(name);
}

/** 172.17-31.x.x is where Docker puts its bridges by default; a home router hands out 192.168/10.x. */
function isDockerBridge(address: string): boolean {
  const [a, b] = address.split('.').map(Number);
  return a === 172 && b !== undefined && b >= 17 && b <= 31;
}

function byHomeNetworkFirst(a: string, b: string): number {
  const rank = (address: string) =>
    address.startsWith('192.168.') ? 0 : address.startsWith('10.') ? 1 : 2;
  return rank(a) - rank(b);
}
