/** The doctor as the server runs it: the configured targets, this machine, MediaNest's own ports. */
import type { DoctorReport } from '../contract/doctor.js';
import { runDoctor } from '../core/doctor/doctor-service.js';
import { configuredTargets } from '../core/settings/settings-repository.js';
import { nodeHostOs } from '../infra/system/host-os.js';
import type { AppContext } from './context.js';
import { discoveryContext } from './engine.js';
import { publishedPorts } from './stack.js';

export async function serverDoctor(
  ctx: AppContext,
  query: { httpPort?: number; httpsPort?: number },
): Promise<DoctorReport> {
  const targets = configuredTargets(ctx.settings);
  return runDoctor(
    {
      discovery: discoveryContext(ctx.env, ctx.probe),
      probe: ctx.probe,
      connect: ctx.connect,
      now: ctx.now,
      describeHost: () => nodeHostOs(ctx.env),
    },
    {
      dataDir: targets.dataDir ?? ctx.paths.dataDir,
      httpPort: query.httpPort ?? targets.httpPort ?? 80,
      httpsPort: query.httpsPort ?? targets.httpsPort ?? 443,
      ownPorts: await publishedPorts(ctx.env),
    },
  );
}
