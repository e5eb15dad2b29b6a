/** The port to where the app's releases are published (GitHub's releases API in infra/net). */

export interface ReleaseAsset {
  name: string;
  /** Where it downloads from (http or https). */
  url: string;
}

export interface PublishedRelease {
  /** The release's tag, e.g. `v0.2.0`. */
  tag: string;
  /** Its page: notes and downloads. */
  url: string;
  publishedAt?: string;
  assets: ReleaseAsset[];
}

export interface ReleaseSource {
  /** Where it asks, for people (a URL). */
  readonly location: string;
  /**
   * The newest published release; undefined when none is published yet. Throws an Error with a
   * plain reason (offline, refused, not a release) when it cannot tell.
   */
  latest(): Promise<PublishedRelease | undefined>;
}
