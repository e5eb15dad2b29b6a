/**
 * What the update check asks of the world: the registry (what a tag stands for now, which tags
 * exist, what an image says about itself) and the engine (what the local image was pulled as).
 * infra implements them: the digest through the engine's distribution API (its credentials and
 * proxy, and exactly what a pull would get), tags and labels through the registry's HTTP API v2.
 * A local build from a git checkout is asked of the checkout's remote instead (git).
 */
import type { ImageReference } from './image-reference.js';

export interface UpdateRegistry {
  /** The digest the registry gives the reference's tag now. Throws, with the reason, when it cannot say. */
  remoteDigest(reference: ImageReference): Promise<string>;
  /**
   * Every tag of the repository; undefined when the registry does not list them to an anonymous
   * caller (a private repository): then only the digest is checked. Throws when it does not answer.
   */
  tags(reference: ImageReference): Promise<string[] | undefined>;
  /** The labels in the configuration of the image `tag` names; undefined when none or unreadable. */
  labels(reference: ImageReference, tag: string): Promise<Record<string, string> | undefined>;
}

export interface LocalImages {
  /** The local image's RepoDigests ("repo@sha256:…"); undefined when it is not on this machine. */
  repoDigests(image: string): Promise<string[] | undefined>;
  /** The checkout a local build was made from, as its labels record it; undefined: none. */
  buildCheckout?(image: string): Promise<BuildCheckout | undefined>;
}

/** A git checkout an image was built from: its folder, branch and the commit built. */
export interface BuildCheckout {
  dir: string;
  branch: string;
  commit: string;
}

/** The newest commit of a checkout's branch on its remote, and how far it is beyond the one built. */
export interface NewerCommits {
  behind: number;
  newest: string;
  subject: string;
}

export interface CheckoutRemote {
  /**
   * Fetches the branch from the checkout's remote (its files and branches untouched) and counts
   * the commits beyond `commit`. Throws, with the reason, when the remote does not answer.
   */
  newer(checkout: BuildCheckout): Promise<NewerCommits>;
}
