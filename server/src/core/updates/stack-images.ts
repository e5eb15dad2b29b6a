import type { FileSystem } from '../file-system.js';
import { LABEL_MIGRATIONS_FROM } from '../stack/migrations.js';
import { readComposeFile, type StackLocation } from '../stack/stack-files.js';
import type { ServiceImage } from './update-service.js';

/**
 * The services of the stack rendered in this home and the image each is configured with: what is
 * installed, with its profiles, not every image the settings could name. `migrate` runs a helper
 * image and takes its migrations from the configured one (its label): that one is its image here.
 * Before an install: `conflict` with `notInstalled`, as every stack reader.
 */
export async function stackImages(
  fs: FileSystem,
  location: StackLocation,
): Promise<ServiceImage[]> {
  const compose = await readComposeFile(fs, location);
  return Object.entries(compose.services).map(([service, definition]) => ({
    service,
    image: definition.labels?.[LABEL_MIGRATIONS_FROM] ?? definition.image,
  }));
}
