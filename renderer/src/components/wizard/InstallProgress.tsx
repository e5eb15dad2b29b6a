import type { ServiceAction } from '@contract';
import type { ImageProgress, InstallState } from '../../state/wizard-store';

const ACTION: Record<ServiceAction, string> = {
  unchanged: 'Already up to date',
  creating: 'Creating',
  recreating: 'Recreating',
  starting: 'Starting',
  waiting: 'Waiting until healthy',
  ready: 'Running and healthy',
  stopping: 'Stopping',
  stopped: 'Stopped',
  removed: 'Removed',
  failed: 'Failed',
};

const MB = 1024 ** 2;
const size = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

function ImageRow({ image, progress }: { image: string; progress: ImageProgress }) {
  const layers = Object.entries(progress.layers);
  return (
    <li className="image-progress" data-image={image}>
      <strong>{image}</strong> <span className="muted">{progress.status}</span>
      {layers.length > 0 && (
        <ul className="layers">
          {layers.map(([layer, l]) => (
            <li key={layer}>
              <code>{layer.slice(0, 12)}</code> {l.status}
              {l.total ? (
                <>
                  {' '}
                  <progress
                    max={l.total}
                    value={l.current ?? 0}
                    aria-label={`Layer ${layer.slice(0, 12)} of ${image}`}
                  />{' '}
                  {size(l.current ?? 0)} / {size(l.total)}
                </>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

/** Live install: the job's step, every image and layer pulled, every service started and health-gated. */
export function InstallProgress({ install }: { install: InstallState }) {
  const percent = install.job?.percent;
  const images = Object.entries(install.images);
  const services = Object.entries(install.services);
  return (
    <div
      className="install-progress"
      aria-busy={install.phase === 'running' || install.phase === 'starting'}
    >
      <p className="install-step" role="status">
        {install.job?.step || 'Starting the install…'}
      </p>
      <progress max={100} value={percent ?? undefined} aria-label="Install progress" />
      {images.length > 0 && (
        <>
          <h3>Images</h3>
          <ul className="images">
            {images.map(([image, progress]) => (
              <ImageRow key={image} image={image} progress={progress} />
            ))}
          </ul>
        </>
      )}
      {services.length > 0 && (
        <>
          <h3>Services</h3>
          <ul className="services-progress">
            {services.map(([service, s]) => (
              <li key={service} data-service={service} data-action={s.action}>
                <span
                  className={`badge badge-${s.action === 'ready' || s.action === 'unchanged' ? 'ok' : s.action === 'failed' ? 'fail' : 'unknown'}`}
                >
                  {ACTION[s.action]}
                </span>{' '}
                <strong>{service}</strong>
                {s.detail && <span className="muted"> · {s.detail}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
