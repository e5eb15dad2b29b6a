import type Docker from 'dockerode';
import { durationMs, memoryBytes } from '../../core/stack/compose-model.js';
import type { DesiredService } from '../../core/stack/plan.js';

const ns = (duration: string): number => Math.round(durationMs(duration) * 1e6);

/** "127.0.0.1:8080:80/tcp" -> port bindings and exposed ports. */
function portBindings(ports: readonly string[]): {
  exposed: Record<string, object>;
  bindings: Record<string, Array<{ HostIp: string; HostPort: string }>>;
} {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const spec of ports) {
    const [mapping = '', protocol = 'tcp'] = spec.split('/');
    const parts = mapping.split(':');
    const containerPort = parts.pop() ?? '';
    const hostPort = parts.pop() ?? '';
    const hostIp = parts.join(':').replace(/^\[|\]$/g, '');
    const key = `${containerPort}/${protocol}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: hostIp, HostPort: hostPort });
  }
  return { exposed, bindings };
}

function tmpfsMounts(entries: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    if (colon === -1) out[entry] = '';
    else out[entry.slice(0, colon)] = entry.slice(colon + 1);
  }
  return out;
}

/** The engine's create options for one service; the first network is joined at create, the rest after. */
export function containerCreateOptions(service: DesiredService): Docker.ContainerCreateOptions {
  const d = service.definition;
  const { exposed, bindings } = portBindings(d.ports ?? []);
  const limits = d.deploy?.resources.limits;
  const reservations = d.deploy?.resources.reservations;
  const hc = d.healthcheck;
  const [firstNetwork] = service.networks;
  const mounts: Docker.MountSettings[] = [
    ...(d.volumes ?? []).map((v) => ({
      Type: 'bind' as const,
      Source: v.source,
      Target: v.target,
      ReadOnly: v.read_only ?? false,
    })),
    ...service.secretMounts.map((s) => ({
      Type: 'bind' as const,
      Source: s.source,
      Target: s.target,
      ReadOnly: true,
    })),
  ];
  return {
    name: service.containerName,
    Image: d.image,
    ...(d.entrypoint ? { Entrypoint: d.entrypoint } : {}),
    ...(d.command ? { Cmd: d.command } : {}),
    ...(d.user ? { User: d.user } : {}),
    ...(d.working_dir ? { WorkingDir: d.working_dir } : {}),
    Env: Object.entries(d.environment ?? {}).map(([k, v]) => `${k}=${v}`),
    Labels: service.labels,
    ExposedPorts: exposed,
    ...(d.stop_signal ? { StopSignal: d.stop_signal } : {}),
    StopTimeout: service.graceSeconds,
    ...(hc
      ? {
          // Top level: inside HostConfig the engine silently ignores it.
          Healthcheck: {
            Test: hc.test,
            Interval: ns(hc.interval),
            Timeout: ns(hc.timeout),
            Retries: hc.retries,
            StartPeriod: ns(hc.start_period),
          },
        }
      : {}),
    HostConfig: {
      Mounts: mounts,
      Tmpfs: tmpfsMounts(d.tmpfs ?? []),
      ReadonlyRootfs: d.read_only ?? false,
      CapDrop: d.cap_drop ?? [],
      CapAdd: d.cap_add ?? [],
      SecurityOpt: d.security_opt ?? [],
      RestartPolicy: { Name: d.restart === 'no' || !d.restart ? '' : d.restart },
      PortBindings: bindings,
      ...(d.init !== undefined ? { Init: d.init } : {}),
      ...(d.pids_limit !== undefined ? { PidsLimit: d.pids_limit } : {}),
      ...(d.logging ? { LogConfig: { Type: d.logging.driver, Config: d.logging.options } } : {}),
      ...(memoryBytes(limits?.memory) ? { Memory: memoryBytes(limits?.memory) } : {}),
      ...(limits?.cpus ? { NanoCpus: Math.round(Number(limits.cpus) * 1e9) } : {}),
      ...(memoryBytes(reservations?.memory)
        ? { MemoryReservation: memoryBytes(reservations?.memory) }
        : {}),
      ...(firstNetwork ? { NetworkMode: firstNetwork.engineName } : {}),
    },
    NetworkingConfig: firstNetwork
      ? { EndpointsConfig: { [firstNetwork.engineName]: { Aliases: firstNetwork.aliases } } }
      : undefined,
  };
}
