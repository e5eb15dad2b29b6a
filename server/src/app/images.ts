/**
 * The composition root of image sources (build, load): the engine discovery finds, the local
 * disk. Used by the CLI's `images` verb and by createServer's images routes.
 */
import { ImageSourceService } from '../core/images/image-source-service.js';
import { DockerodeImageGateway } from '../infra/docker/dockerode-image-gateway.js';
import { NodeSourceTree } from '../infra/fs/node-source-tree.js';
import { engineAccess, type Env } from './engine.js';

export function createImageSourceService(env: Env): ImageSourceService {
  const gateway = engineAccess(env).connect((endpoint) => new DockerodeImageGateway(endpoint));
  return new ImageSourceService({ gateway, tree: new NodeSourceTree() });
}
