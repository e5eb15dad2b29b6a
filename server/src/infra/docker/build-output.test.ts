/**
 * The parser against build streams recorded from the rig's engine (Docker 20.10, API 1.41):
 * testdata/buildkit-backend-production.jsonl is the fixture source's backend-production target;
 * the two failed-run files built this Dockerfile with each builder:
 *   ARG BASE
 *   FROM ${BASE} AS broken
 *   RUN echo "compiling backend" && echo "error TS2304: cannot find name" >&2 && exit 3
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BuildEvent } from '../../core/images/image-gateway.js';
import { BuildOutputParser, decodeTrace } from './build-output.js';

function parse(file: string): { events: BuildEvent[]; parser: BuildOutputParser } {
  const events: BuildEvent[] = [];
  const parser = new BuildOutputParser((e) => events.push(e));
  const text = readFileSync(new URL(`./testdata/${file}`, import.meta.url), 'utf8');
  for (const line of text.split('\n')) parser.line(line);
  parser.end();
  return { events, parser };
}

const steps = (events: BuildEvent[]) =>
  events.flatMap((e) =>
    e.kind === 'step' ? [`${e.current}/${e.total} ${e.name}${e.cached ? ' (cached)' : ''}`] : [],
  );
const lines = (events: BuildEvent[]) =>
  events.flatMap((e) => (e.kind === 'output' ? [e.line] : []));

describe('BuildKit output', () => {
  it('counts the Dockerfile steps once the graph is known and ends with the image id', () => {
    const { events, parser } = parse('buildkit-backend-production.jsonl');
    const counted = steps(events);
    expect(counted[0]).toBe('1/15 [base 1/3] FROM docker.io/medianest-rig/base:0325b9f7d84d');
    expect(counted).toContain('2/15 [base 2/3] COPY config/docker/shims/ /usr/local/bin/ (cached)');
    expect(counted.at(-1)).toBe('16/16 exporting to image');
    // The preparations are shown, not counted.
    expect(lines(events)).toEqual([
      '[internal] load remote build context',
      'copy /context /',
      '[internal] load metadata for docker.io/medianest-rig/base:0325b9f7d84d',
    ]);
    expect(parser.imageId).toBe(
      'sha256:2d818d8151c6b07df28b8d0912c1a1f5edb34c1b17eaaf712a715baae03ca708',
    );
    expect(parser.error).toBeUndefined();
  });

  it("keeps a failed step's output and the builder's error message", () => {
    const { events, parser } = parse('buildkit-failed-run.jsonl');
    expect(steps(events)).toEqual([
      '1/2 [1/2] FROM docker.io/medianest-rig/base:0325b9f7d84d (cached)',
      '2/2 [2/2] RUN echo "compiling backend" && echo "error TS2304: cannot find name" >&2 && exit 3',
    ]);
    expect(parser.lastOutput().slice(-2)).toEqual([
      'compiling backend',
      'error TS2304: cannot find name',
    ]);
    expect(parser.error).toBe(
      'executor failed running [/bin/sh -c echo "compiling backend" && echo "error TS2304: cannot find name" >&2 && exit 3]: exit code: 3',
    );
    expect(parser.imageId).toBeUndefined();
  });

  it('decodes trace messages: a vertex listed, then started', () => {
    const [listed, started] = readFileSync(
      new URL('./testdata/buildkit-backend-production.jsonl', import.meta.url),
      'utf8',
    )
      .split('\n')
      .slice(0, 2)
      .map((line) => decodeTrace((JSON.parse(line) as { aux: string }).aux).vertexes);
    const vertex = {
      digest: 'sha256:ed74a31ab6db22bba6c9bef82f2379a852c398ebbc8c28eab5a75025f3d74862',
      name: '[internal] load remote build context',
      cached: false,
      completed: false,
      error: '',
    };
    expect(listed).toEqual([{ ...vertex, started: false }]);
    expect(started).toEqual([{ ...vertex, started: true }]);
  });
});

describe('classic builder output', () => {
  it('reads "Step N/M", drops the bookkeeping lines and the colour codes, keeps the error', () => {
    const { events, parser } = parse('classic-failed-run.jsonl');
    expect(steps(events)).toEqual([
      '1/3 ARG BASE',
      '2/3 FROM ${BASE} AS broken',
      '3/3 RUN echo "compiling backend" && echo "error TS2304: cannot find name" >&2 && exit 3',
    ]);
    expect(lines(events)).toEqual([
      '[Warning] IPv4 forwarding is disabled. Networking will not work.',
      'compiling backend',
      'error TS2304: cannot find name',
    ]);
    expect(parser.error).toBe(
      'The command \'/bin/sh -c echo "compiling backend" && echo "error TS2304: cannot find name" >&2 && exit 3\' returned a non-zero code: 3',
    );
  });

  it('marks a step cached from the line after it, and takes the last image id', () => {
    const events: BuildEvent[] = [];
    const parser = new BuildOutputParser((e) => events.push(e));
    for (const message of [
      { stream: 'Step 1/2 : FROM base' },
      { stream: '\n' },
      { stream: ' ---> 1111aaaa2222\n' },
      { stream: 'Step 2/2 : COPY . .' },
      { stream: '\n' },
      { stream: ' ---> Using cache\n' },
      { stream: ' ---> 3333bbbb4444\n' },
      { aux: { ID: 'sha256:3333' } },
      { stream: 'Successfully built 3333bbbb4444\n' },
    ]) {
      parser.line(JSON.stringify(message));
    }
    parser.end();
    expect(steps(events)).toEqual(['1/2 FROM base', '2/2 COPY . . (cached)']);
    expect(lines(events)).toEqual([]);
    expect(parser.imageId).toBe('sha256:3333');
  });
});
