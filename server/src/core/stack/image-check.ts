import type {
  ImageCheckReport,
  ImageFinding,
  ServiceImageCheck,
} from '../../contract/images-routes.js';
import { AppError } from '../app-error.js';
import { digestOf, imageCommand, LABEL_IMAGE_COMMAND, type ImageConfig } from './image-command.js';
import { LABEL_MIGRATIONS_FROM, migrationFolderCandidates } from './migrations.js';
import type { DesiredService, StackPlan } from './plan.js';

/**
 * `images check`: before anything starts, what the stack needs of each MediaNest image (backend,
 * frontend, and the image the migrations come from) and what the image has. Read from the image's
 * configuration and files, never by running it. `up` runs the same check and refuses on a finding.
 */

export type { ImageCheckReport, ImageFinding, ServiceImageCheck };

export interface ImageInspector {
  imageExists(image: string): Promise<boolean>;
  imageConfig(image: string): Promise<ImageConfig>;
  imagePathsExist(image: string, paths: readonly string[]): Promise<Set<string>>;
  readImageFolder(
    image: string,
    folders: readonly string[],
    limits: { maxFiles: number; maxBytes: number },
  ): Promise<{ folder: string; files: Map<string, Uint8Array> } | undefined>;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const OTHER_IMAGE =
  'Use an image built from MediaNest (Settings > Images: a registry reference, a loaded archive or a build from a checkout).';

/** The uid an image's USER means: numbers as they are, names through the image's /etc/passwd. */
async function uidOf(
  inspector: ImageInspector,
  image: string,
  user: string | undefined,
): Promise<number | undefined> {
  const name = (user ?? '').split(':')[0] ?? '';
  if (name === '') return 0;
  if (/^\d+$/.test(name)) return Number(name);
  const passwd = await inspector
    .readImageFolder(image, ['/etc/passwd'], { maxFiles: 1, maxBytes: 1024 * 1024 })
    .catch(() => undefined);
  const text = new TextDecoder().decode(passwd?.files.get('passwd') ?? new Uint8Array());
  const line = text.split('\n').find((l) => l.split(':')[0] === name);
  const uid = line?.split(':')[2];
  return uid !== undefined && /^\d+$/.test(uid) ? Number(uid) : undefined;
}

/** The port and route the stack's healthcheck asks, from its command (healthcheck.cjs PORT PATH). */
function healthRoute(service: DesiredService): { port: string; path: string } | undefined {
  const test = service.definition.healthcheck?.test ?? [];
  const at = test.findIndex((part) => part.endsWith('healthcheck.cjs'));
  if (at === -1) return undefined;
  return { port: test[at + 1] ?? '', path: test[at + 2] ?? '/' };
}

async function checkService(
  inspector: ImageInspector,
  service: DesiredService,
  image: string,
  migrationsOnly: boolean,
): Promise<ServiceImageCheck> {
  if (!(await inspector.imageExists(image))) {
    return {
      service: service.name,
      image,
      present: false,
      findings: [
        {
          what: 'image',
          needed: 'on this machine',
          has: 'not on this machine',
          ok: false,
          action: 'Pull it (allow pulling), load its archive, or build it.',
        },
      ],
      ok: false,
    };
  }
  const config = await inspector.imageConfig(image);
  const findings: ImageFinding[] = [];
  const candidates = migrationFolderCandidates(config.workingDir);
  const nodePaths = (config.path ?? DEFAULT_PATH)
    .split(':')
    .filter((dir) => dir.startsWith('/'))
    .map((dir) => `${dir.replace(/\/+$/, '')}/node`);
  const exists = await inspector.imagePathsExist(image, [...nodePaths, ...candidates]);

  if (!migrationsOnly) {
    const wanted = service.definition.user ?? '0:0';
    const wantedUid = Number(wanted.split(':')[0]);
    const uid = await uidOf(inspector, image, config.user);
    findings.push({
      what: 'user',
      needed: `uid ${wantedUid} (the stack runs it as ${wanted} and its data folders belong to it)`,
      has: `${config.user || 'root'}${uid !== undefined && String(uid) !== config.user?.split(':')[0] ? ` (uid ${uid})` : ''}`,
      ok: uid === wantedUid,
      action: `The image's files are made for ${config.user || 'root'}, not uid ${wantedUid}: use MediaNest's image (user medianest, 1001). ${OTHER_IMAGE}`,
    });
    const command = imageCommand(config);
    const fromImage = service.labels[LABEL_IMAGE_COMMAND] === 'true';
    findings.push({
      what: 'command',
      needed: fromImage ? "the image's own ENTRYPOINT or CMD" : 'none (the stack gives it)',
      has: command.length > 0 ? command.join(' ') : 'none',
      ok: !fromImage || command.length > 0,
      action: `The image says nothing to run. ${OTHER_IMAGE}`,
    });
    findings.push({
      what: 'working directory',
      needed: "the image's own",
      has: config.workingDir ?? '/ (none set)',
      ok: true,
    });
    const node = nodePaths.find((p) => exists.has(p));
    findings.push({
      what: 'node',
      needed: "`node` on the image's PATH (the healthcheck and the deep check run it)",
      has: node ?? 'none',
      ok: node !== undefined,
      action: `Every MediaNest image runs on Node.js; this one has none. ${OTHER_IMAGE}`,
    });
    const route = healthRoute(service);
    if (route) {
      const declared = config.exposedPorts.includes(`${route.port}/tcp`);
      findings.push({
        what: 'health route',
        needed: `an HTTP answer on port ${route.port} at ${route.path}`,
        has: declared
          ? `port ${route.port} declared (EXPOSE)`
          : `port ${route.port} not declared (it may still listen there)`,
        ok: true,
      });
    }
  }
  if (migrationsOnly || service.name === 'backend') {
    const folder = candidates.find((c) => exists.has(c));
    findings.push({
      what: 'migrations',
      needed: 'Prisma migration folders (prisma/migrations)',
      has: folder ?? `none (looked in ${candidates.join(', ')})`,
      ok: folder !== undefined,
      action: `Without its migrations the database cannot be set up for this image. ${OTHER_IMAGE}`,
    });
  }
  const tidy = findings.map((f) => (f.ok ? { ...f, action: undefined } : f)).map(dropUndefined);
  return {
    service: service.name,
    image,
    present: true,
    exactly: digestOf(image, config) ?? config.id,
    findings: tidy,
    ok: tidy.every((f) => f.ok),
  };
}

function dropUndefined(finding: ImageFinding): ImageFinding {
  const { action, ...rest } = finding;
  return action === undefined ? rest : { ...rest, action };
}

/** The services whose images the check looks at: the app's own (command from the image) and the migrations' source. */
interface CheckedService {
  service: DesiredService;
  image: string;
  migrationsOnly: boolean;
}

export function checkedServices(services: readonly DesiredService[]): CheckedService[] {
  return services.flatMap((service): CheckedService[] => {
    const migrations = service.labels[LABEL_MIGRATIONS_FROM];
    if (migrations) return [{ service, image: migrations, migrationsOnly: true }];
    if (service.labels[LABEL_IMAGE_COMMAND] === 'true')
      return [{ service, image: service.definition.image, migrationsOnly: false }];
    return [];
  });
}

export async function checkImages(
  inspector: ImageInspector,
  plan: Pick<StackPlan, 'services'>,
): Promise<ImageCheckReport> {
  const services = await Promise.all(
    checkedServices(plan.services).map(({ service, image, migrationsOnly }) =>
      checkService(inspector, service, image, migrationsOnly),
    ),
  );
  return { services, willStart: services.every((s) => s.ok) };
}

/** The refusal `up` gives when the check finds an image the stack cannot start. */
export function imageCheckRefusal(report: ImageCheckReport): AppError | undefined {
  if (report.willStart) return undefined;
  const lines = report.services.flatMap((s) =>
    s.findings
      .filter((f) => !f.ok)
      .map((f) =>
        `${s.service} (${s.image}): ${f.what}: needs ${f.needed}, has ${f.has}. ${f.action ?? ''}`.trim(),
      ),
  );
  return new AppError(
    'conflict',
    `The stack would not start with these images; nothing was started:\n- ${lines.join('\n- ')}`,
    { imageCheck: report },
  );
}
