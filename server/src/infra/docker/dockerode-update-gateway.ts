/**
 * The engine's side of the update check: what a local image was pulled as (its RepoDigests), and
 * what a tag stands for in its registry now, asked through the engine's distribution API
 * (`GET /distribution/{name}/json`), so the engine's own credentials, mirrors and proxy apply.
 */
import { isAbsolute } from 'node:path';
import type Docker from 'dockerode';
import { AppError } from '../../core/app-error.js';
import type { ImageReference } from '../../core/updates/image-reference.js';
import {
  LABEL_BRANCH,
  LABEL_CHECKOUT,
  LABEL_IMAGE_SOURCE,
  LABEL_REVISION,
} from '../../core/images/build-images.js';
import type { BuildCheckout, LocalImages } from '../../core/updates/registry-ports.js';
import { engineClients } from './engine-clients.js';

type DialError = Error & { statusCode?: number; json?: { message?: string }; code?: string };

const CONNECTION_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EACCES', 'EPIPE']);

/** The engine's own message out of dockerode's "(HTTP code 500) server error - <message>". */
function engineMessage(error: DialError): string {
  return (error.json?.message ?? error.message.replace(/^\(HTTP code \d+\) [^-]+- /, '')).trim();
}

export class DockerodeUpdateGateway implements LocalImages {
  private readonly docker: Docker;

  constructor(private readonly endpoint: string) {
    ({ docker: this.docker } = engineClients(endpoint));
  }

  async repoDigests(image: string): Promise<string[] | undefined> {
    try {
      const info = (await this.docker.getImage(image).inspect()) as {
        RepoDigests?: string[] | null;
      };
      return info.RepoDigests ?? [];
    } catch (error) {
      if ((error as DialError).statusCode === 404) return undefined;
      throw this.failure(error as DialError);
    }
  }

  /** The checkout a build of ours recorded in the image's labels (build-images.ts). */
  async buildCheckout(image: string): Promise<BuildCheckout | undefined> {
    const info = (await this.docker.getImage(image).inspect()) as {
      Config?: { Labels?: Record<string, string> | null };
    };
    const labels = info.Config?.Labels ?? {};
    const dir = labels[LABEL_CHECKOUT];
    const branch = labels[LABEL_BRANCH];
    const commit = labels[LABEL_REVISION];
    if (labels[LABEL_IMAGE_SOURCE] !== 'build' || !dir || !branch || !commit) return undefined;
    if (!isAbsolute(dir) || !/^[0-9a-f]{40,64}$/.test(commit) || branch.startsWith('-'))
      return undefined;
    return { dir, branch, commit };
  }

  async remoteDigest(reference: ImageReference): Promise<string> {
    const name = reference.text.split('@')[0] ?? reference.text;
    let answer: { Descriptor?: { digest?: string } };
    try {
      answer = await this.docker.getImage(name).distribution();
    } catch (error) {
      const failure = this.failure(error as DialError);
      if (failure instanceof AppError) throw failure;
      const status = (error as DialError).statusCode;
      // 401: the engine's "no such image" for a tag the registry does not have, or may not show.
      throw new Error(
        status === 401 || status === 404
          ? `registry ${reference.registry} does not know ${reference.repository}:${reference.tag ?? ''} (or needs a login): ${failure.message}`
          : `registry ${reference.registry} not reachable: ${failure.message}`,
      );
    }
    const digest = answer.Descriptor?.digest;
    if (!digest) throw new Error(`registry ${reference.registry} gave no digest for ${name}`);
    return digest;
  }

  private failure(error: DialError): Error {
    if (error.code && CONNECTION_CODES.has(error.code) && error.statusCode === undefined) {
      return new AppError(
        'engine_unavailable',
        `The Docker engine at ${this.endpoint} did not answer (${error.code}).`,
        undefined,
        { cause: error },
      );
    }
    return new Error(engineMessage(error));
  }
}
