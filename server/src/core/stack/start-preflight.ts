import { messageOf } from '../../contract/errors.js';
import { AppError } from '../app-error.js';
import type { PullPolicy } from './config.js';
import { digestOf } from './image-command.js';
import type { DesiredService } from './plan.js';
import type { ContainerSummary, StackGateway } from './stack-gateway.js';
import type { StackProgress } from '../../contract/stack.js';
import type { HostProbe } from '../doctor/host-probe.js';

/** What the checks use: the engine, the host's ports, and where progress goes. */
export interface StartPreflightDeps {
  gateway: StackGateway;
  probe: Pick<HostProbe, 'probePort'>;
  onProgress: (event: StackProgress) => void;
}

/**
 * Everything a start checks before it touches anything: the images (pulled as the policy says,
 * each pull saying exactly what it got) and the host ports the services to (re)create publish.
 */
export async function preflightStart(
  deps: StartPreflightDeps,
  services: DesiredService[],
  existing: ContainerSummary[],
  policy: PullPolicy,
): Promise<void> {
  const { gateway, probe } = deps;
  const images = [...new Set(services.map((s) => s.definition.image))];
  const present = await Promise.all(images.map((image) => gateway.imageExists(image)));
  const missing = images.filter((_, i) => !present[i]);
  if (policy === 'never' && missing.length > 0) {
    const users = (image: string): string =>
      services
        .filter((s) => s.definition.image === image)
        .map((s) => s.name)
        .join(', ');
    throw new AppError(
      'conflict',
      `Image${missing.length > 1 ? 's' : ''} not on this machine and the pull policy is "never": ${missing.map((i) => `${i} (for ${users(i)})`).join('; ')}. Load or build ${missing.length > 1 ? 'them' : 'it'}, or allow pulling.`,
      { images: missing },
    );
  }
  const toPull = policy === 'always' ? images : missing;
  for (const image of toPull) {
    try {
      await gateway.pullImage(image, (p) => deps.onProgress({ type: 'stack.image-pulling', ...p }));
      // What was pulled, exactly: the digest a tag such as `latest` stood for today.
      const pulled = await gateway.imageConfig(image);
      deps.onProgress({
        type: 'stack.image-pulling',
        image,
        status: `Pulled as ${digestOf(image, pulled) ?? pulled.id}`,
      });
    } catch (error) {
      throw new AppError(
        'conflict',
        `Could not pull ${image}: ${messageOf(error)}. Nothing was changed.`,
        {
          image,
        },
      );
    }
  }
  for (const service of services) {
    const container = existing.find((c) => c.service === service.name);
    if (container && container.configHash === service.configHash) continue;
    for (const spec of service.definition.ports ?? []) {
      const hostPort = Number(spec.split('/')[0]?.split(':').at(-2));
      // A port our own container of this service holds is freed when it is recreated.
      if (container?.ports.some((p) => p.includes(`:${hostPort}->`))) continue;
      const state = await probe.probePort(hostPort);
      if (state.state === 'taken') {
        throw new AppError(
          'conflict',
          `Port ${hostPort} (for ${service.name}) is already in use${state.holder ? ` by ${state.holder}` : ''}. Stop that program or choose another port. Nothing was changed.`,
          { service: service.name, port: hostPort },
        );
      }
    }
  }
}
