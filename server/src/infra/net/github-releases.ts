/**
 * The newest release of the app, from GitHub's REST API (`GET /repos/OWNER/NAME/releases/latest`:
 * the newest release that is neither a draft nor a pre-release), read anonymously. The URL is
 * injectable: tests point it at a server on loopback, a mirror can serve the same JSON.
 */
import { z } from 'zod';
import type { PublishedRelease, ReleaseSource } from '../../core/app-release/release-source.js';
import { reason } from './webhook-transport.js';

export interface GitHubReleasesOptions {
  /** The latest-release URL (see githubLatestReleaseUrl). */
  url: string;
  /** GitHub refuses requests without one; ours names the app and its version. */
  userAgent: string;
  /** Default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Largest answer read (a release with many assets is some tens of kB). */
const MAX_BYTES = 1024 * 1024;

const httpUrl = z.url({ protocol: /^https?$/ });

/** The fields read from GitHub's release object; anything else is ignored. */
const ReleaseSchema = z.object({
  tag_name: z.string().min(1).max(200),
  html_url: httpUrl,
  draft: z.boolean().optional(),
  published_at: z.string().nullish(),
  assets: z
    .array(z.object({ name: z.string().max(300), browser_download_url: httpUrl }))
    .max(500)
    .default([]),
});

const OWNER_NAME = /^([A-Za-z0-9][A-Za-z0-9-]{0,38})\/([A-Za-z0-9._-]{1,100}?)(?:\.git)?\/?$/;

/**
 * package.json's `repository` (`owner/name`, `github:owner/name`, a github.com URL, or
 * `{ url }`) -> the API URL of its latest release; undefined for anything else.
 */
export function githubLatestReleaseUrl(repository: unknown): string | undefined {
  const value =
    typeof repository === 'object' && repository !== null
      ? (repository as { url?: unknown }).url
      : repository;
  if (typeof value !== 'string') return undefined;
  const path = value
    .trim()
    .replace(/^github:/, '')
    .replace(/^(?:git\+)?(?:https?|git|ssh):\/\/(?:git@)?github\.com\//, '')
    .replace(/^git@github\.com:/, '');
  const match = OWNER_NAME.exec(path);
  if (!match?.[1] || !match[2] || match[2] === '.' || match[2] === '..') return undefined;
  return `https://api.github.com/repos/${match[1]}/${match[2]}/releases/latest`;
}

export class GitHubReleases implements ReleaseSource {
  readonly location: string;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: GitHubReleasesOptions) {
    this.location = options.url;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetch = options.fetch ?? fetch;
  }

  async latest(): Promise<PublishedRelease | undefined> {
    const host = new URL(this.options.url).host;
    let response: Response;
    try {
      response = await this.fetch(this.options.url, {
        headers: {
          accept: 'application/vnd.github+json',
          'user-agent': this.options.userAgent,
          'x-github-api-version': '2022-11-28',
        },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new Error(`${host} not reachable: ${reason(error, this.timeoutMs)}`);
    }
    // No release published yet (or no such repository: GitHub answers both alike).
    if (response.status === 404) {
      await response.body?.cancel().catch(() => undefined);
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error(`${host} answered HTTP ${response.status}${limitNote(response)}`);
    }
    const parsed = ReleaseSchema.safeParse(await this.json(response, host));
    if (!parsed.success)
      throw new Error(
        `${host} answered something that is not a release (${parsed.error.issues[0]?.path.join('.') || 'body'}: ${parsed.error.issues[0]?.message ?? 'invalid'})`,
      );
    const release = parsed.data;
    if (release.draft) return undefined;
    return {
      tag: release.tag_name,
      url: release.html_url,
      ...(release.published_at ? { publishedAt: release.published_at } : {}),
      assets: release.assets.map((a) => ({ name: a.name, url: a.browser_download_url })),
    };
  }

  private async json(response: Response, host: string): Promise<unknown> {
    if (Number(response.headers.get('content-length')) > MAX_BYTES) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error(`${host} answered more than 1 MB`);
    }
    const text = await response.text();
    if (text.length > MAX_BYTES) throw new Error(`${host} answered more than 1 MB`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(`${host} answered something that is not JSON`);
    }
  }
}

/** GitHub's rate limit for anonymous calls (60 an hour per address): when it resets. */
function limitNote(response: Response): string {
  if (response.headers.get('x-ratelimit-remaining') !== '0') return '';
  const reset = Number(response.headers.get('x-ratelimit-reset'));
  if (!Number.isFinite(reset) || reset <= 0) return ': rate limited';
  return `: rate limited until ${new Date(reset * 1000).toISOString().replace(/\.\d+Z$/, 'Z')}`;
}
