/**
 * What `update [SERVICE] --to REF|TAG` asks for, as images per service: the backend and the
 * migrate job share one image (the migrations come from it), the frontend is separate.
 */
import { AppError } from '../app-error.js';
import { parseImageReference } from './image-reference.js';

/** The services an update of `service` changes together. */
export function servicesOf(service: string): string[] {
  if (service === 'backend' || service === 'migrate') return ['backend', 'migrate'];
  if (service === 'frontend') return ['frontend'];
  throw new AppError(
    'validation_failed',
    `service: updates apply to backend (with migrate) or frontend, not ${service}.`,
    { field: 'service' },
  );
}

/**
 * `to` as an image: a reference (it names a repository: has a `/`, or a `:`, or an `@`) as
 * written; a bare tag replaces the tag (and any digest) of the `current` image.
 */
export function targetImage(current: string, to: string): string {
  const reference = /[/:@]/.test(to) ? to : undefined;
  if (reference) {
    parseImageReference(reference);
    return reference;
  }
  const named = current.split('@')[0] ?? current;
  const slash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const name = colon > slash ? named.slice(0, colon) : named;
  const image = `${name}:${to}`;
  parseImageReference(image);
  return image;
}

/** The images per service that `update SERVICE --to TO` gives, from the configured `images`. */
export function updateImages(
  images: Record<string, string>,
  service: string,
  to: string,
): Record<string, string> {
  const services = servicesOf(service);
  const current = images[services[0] ?? ''];
  if (!current) throw new AppError('conflict', `${service} has no configured image.`);
  const image = targetImage(current, to);
  return Object.fromEntries(services.map((s) => [s, image]));
}
