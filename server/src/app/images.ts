/**
 * The composition root of image sources (build, load): the engine discovery finds, the local
 * disk. Used by the CLI's `images` verb and by createServer's images routes.
 */
import { AppError } from '../core/app-error.js';
import { ImageSourceService } from '../core/images/image-source-service.js';
import { DockerodeImageGateway } from '../infra/docker/dockerode-image-gateway.js';
import { NodeSourceTree } from '../infra/fs/node-source-tree.js';
import { engineEndpoint } from './stack.js';

export function createImageSourceService(
  env: Record<string, string | undefined>,
): ImageSourceService {
  let gateway: DockerodeImageGateway;
  try {
    gateway = new DockerodeImageGateway(engineEndpoint(env));
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(
      'engine_unavailable',
      `The Docker engine address is not usable: ${(error as Error).message}`,
    );
  }
  return new ImageSourceService({ gateway, tree: new NodeSourceTree() });
}
