/**
 * Removes an image reference from the engine (an update's old images, once a newer update has
 * succeeded). Never forced: an image a container still uses stays, and the engine only untags an
 * image that other tags still name.
 */
import type Docker from 'dockerode';
import { engineClients } from './engine-clients.js';

export class DockerodeImageRemover {
  private readonly docker: Docker;

  constructor(endpoint: string) {
    ({ docker: this.docker } = engineClients(endpoint));
  }

  async remove(image: string): Promise<void> {
    await this.docker.getImage(image).remove({ force: false, noprune: false });
  }
}
