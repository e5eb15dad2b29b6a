import type { ImageCheckReport, ImageFinding, ServiceImageCheck } from '@contract';

/**
 * `images check` in a home user's words. The server's findings name what the stack needs and what
 * the image has; here each becomes one sentence about the service's image and, for a problem,
 * what to do on this very step (name another image above, build one, allow downloads).
 */

export type PullPolicy = 'missing' | 'always' | 'never';

export interface FindingWords {
  what: string;
  ok: boolean;
  /** One sentence: what the image has, against what the stack needs when it is a problem. */
  text: string;
  /** What to do, for a problem. */
  action?: string;
  /** A few words for the overall verdict ("has no node on its PATH"). */
  short: string;
}

export interface ServiceWords {
  service: string;
  /** "The backend image", "The image the database migrations come from". */
  title: string;
  image: string;
  /** The exact image: "digest sha256:0123456789ab" or "id 0123456789ab". */
  exactly?: string;
  ok: boolean;
  /** Not on this computer yet: downloaded when the stack starts (pulls allowed). */
  notYetHere: boolean;
  findings: FindingWords[];
}

export interface CheckVerdict {
  tone: 'ok' | 'warn' | 'fail';
  text: string;
}

const CHOOSE_ANOTHER =
  "Choose an image built from MediaNest's Dockerfile: name it above, or build one from a MediaNest checkout.";

function titleOf(check: ServiceImageCheck): string {
  if (check.service === 'migrate') return 'The image the database migrations come from';
  return `The ${check.service} image`;
}

/** "sha256:<64 hex>" -> "id 0123456789ab"; "repo@sha256:<64 hex>" -> "digest sha256:0123456789ab". */
export function shortExactly(exactly: string): string {
  const id = /^sha256:([0-9a-f]{12})[0-9a-f]*$/.exec(exactly);
  if (id) return `id ${id[1]}`;
  const digest = /@sha256:([0-9a-f]{12})[0-9a-f]*$/.exec(exactly);
  return digest ? `digest sha256:${digest[1]}` : exactly;
}

function wordsFor(f: ImageFinding, pullPolicy: PullPolicy): FindingWords {
  const base = { what: f.what, ok: f.ok };
  // For the needs it knows, the UI says what to do on this step; the server's words otherwise.
  const problem = (text: string, short: string, action = CHOOSE_ANOTHER) => ({
    ...base,
    text,
    short,
    ...(f.ok ? {} : { action }),
  });
  switch (f.what) {
    case 'image':
      return problem(
        'It is not on this computer yet.',
        'is not on this computer',
        pullPolicy === 'never'
          ? 'Downloads are off ("Never" below): load or build the image on this computer, or allow downloads.'
          : 'It is downloaded when the stack starts and checked again then. To check it now, build or load it here first.',
      );
    case 'user': {
      const uid = /^uid (\d+)/.exec(f.needed)?.[1] ?? '1001';
      return f.ok
        ? problem(`Runs as ${f.has}: the user MediaNest's data folders belong to.`, '')
        : problem(
            `Runs as ${f.has}, but the stack runs it as uid ${uid}, the owner of its data folders, and the image's files are not made for that user.`,
            `runs as ${f.has} instead of uid ${uid}`,
            `MediaNest's own images run as user medianest (uid 1001). ${CHOOSE_ANOTHER}`,
          );
    }
    case 'node':
      return f.ok
        ? problem(`Has node (\`${f.has}\`), which MediaNest runs on.`, '')
        : problem(
            "Has no node on its PATH: MediaNest's images run with node, and so does the stack's health check.",
            'has no node on its PATH',
          );
    case 'migrations':
      return f.ok
        ? problem(`Has the database migrations (\`${f.has}\`).`, '')
        : problem(
            'Has no database migrations (prisma/migrations): the database cannot be set up for it.',
            'has no database migrations',
          );
    case 'command':
      return f.ok
        ? problem(`Starts with \`${f.has}\`.`, '')
        : problem(
            'Says nothing to run (no ENTRYPOINT or CMD): the stack starts it with its own command.',
            'says nothing to run',
          );
    case 'working directory':
      return problem(
        f.has.startsWith('/ ')
          ? 'Sets no working directory (runs in `/`).'
          : `Works in \`${f.has}\`.`,
        '',
      );
    case 'health route': {
      const asked = `The stack's health check asks it ${f.needed.replace(/^an HTTP answer /, '')}`;
      return problem(
        /not declared/.test(f.has)
          ? `${asked}; the image does not declare that port, though it may still listen there.`
          : `${asked}, a port the image declares.`,
        '',
      );
    }
    default:
      return problem(
        f.ok ? `${f.what}: ${f.has}.` : `${f.what}: has ${f.has}, needs ${f.needed}.`,
        `${f.what}: has ${f.has}`,
        f.action ?? CHOOSE_ANOTHER,
      );
  }
}

export function serviceWords(check: ServiceImageCheck, pullPolicy: PullPolicy): ServiceWords {
  return {
    service: check.service,
    title: titleOf(check),
    image: check.image,
    ...(check.exactly ? { exactly: shortExactly(check.exactly) } : {}),
    ok: check.ok,
    notYetHere: !check.present && pullPolicy !== 'never',
    // Problems first: they are what the user came for.
    findings: check.findings
      .map((f) => wordsFor(f, pullPolicy))
      .sort((a, b) => Number(a.ok) - Number(b.ok)),
  };
}

/**
 * The verdict over all services. An image only missing, with downloads allowed, is no refusal:
 * `up` downloads it and checks it then, so the verdict waits rather than failing.
 */
export function verdictOf(report: ImageCheckReport, pullPolicy: PullPolicy): CheckVerdict {
  if (report.willStart) return { tone: 'ok', text: 'The stack will start with these images.' };
  const services = report.services.map((s) => serviceWords(s, pullPolicy));
  const problems = services.filter((s) => !s.ok && !s.notYetHere);
  if (problems.length === 0) {
    return {
      tone: 'warn',
      text: 'These images are not on this computer yet: they are downloaded when the stack starts and checked then. Nothing else stands in the way.',
    };
  }
  // The backend image is also the migrations' source: say each problem once, under its image,
  // the services' own images before the migrations'.
  const byImage = new Map<string, Set<string>>();
  const ordered = [...problems].sort(
    (a, b) => Number(a.service === 'migrate') - Number(b.service === 'migrate'),
  );
  for (const s of ordered) {
    const shorts = byImage.get(s.image) ?? new Set<string>();
    for (const f of s.findings) if (!f.ok) shorts.add(f.short);
    byImage.set(s.image, shorts);
  }
  const reasons = [...byImage].map(([image, shorts]) => `${image} ${listed([...shorts])}`);
  return { tone: 'fail', text: `It would not start: ${reasons.join('; ')}.` };
}

/** "a", "a and b", "a, b and c". */
function listed(items: string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}
