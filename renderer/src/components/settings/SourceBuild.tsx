import { useEffect, useRef, useState } from 'react';
import { messageOf, type ApiClient, type CheckoutFinding } from '@contract';
import { follow } from '../../state/follow-job';
import { builtImagesOf, checkoutFindingsOf } from '../../state/image-build';
import type { JobRun } from '../../state/job-view';
import { fieldErrorsOf } from '../../state/settings-store-form';
import { JobStatus } from '../JobStatus';
import { InputField } from '../ui/InputField';
import { CheckoutFindings } from './CheckoutFindings';

type BuildState =
  | { phase: 'idle' }
  | { phase: 'refused'; findings: CheckoutFinding[] }
  | { phase: 'error'; message: string; field?: string }
  | { phase: 'job'; run: JobRun; filled?: boolean };

/**
 * Builds MediaNest's backend and frontend images from a checkout on the server's machine and puts
 * the references it built into the images list. A checkout with a known defect is refused before
 * anything is built, each defect listed with what to do.
 */
export function SourceBuild({
  client,
  onBuilt,
}: {
  client: ApiClient;
  onBuilt: (images: Record<string, string>) => void;
}) {
  const [sourceDir, setSourceDir] = useState('');
  const [state, setState] = useState<BuildState>({ phase: 'idle' });
  // A build takes minutes: its images go into the list as it is then, not as it was at the click.
  const latestOnBuilt = useRef(onBuilt);
  useEffect(() => {
    latestOnBuilt.current = onBuilt;
  });
  const running = state.phase === 'job' && state.run.phase === 'running';

  const build = async () => {
    setState({ phase: 'job', run: { phase: 'running' } });
    try {
      const run = await follow(
        () => client.imagesBuild({ sourceDir: sourceDir.trim() }),
        (r) => setState({ phase: 'job', run: r }),
      );
      const images = run.phase === 'succeeded' ? builtImagesOf(run.job?.step ?? '') : undefined;
      if (images) {
        latestOnBuilt.current(images);
        setState({ phase: 'job', run, filled: true });
      }
    } catch (error) {
      const findings = checkoutFindingsOf(error);
      // A folder refused as such (it does not exist, has no Dockerfile) is said under the field.
      const field = fieldErrorsOf(error)?.sourceDir;
      setState(
        findings
          ? { phase: 'refused', findings }
          : { phase: 'error', message: messageOf(error), ...(field ? { field } : {}) },
      );
    }
  };

  return (
    <div className="source-build" data-field="sourceBuild">
      <InputField
        id="sourceDir"
        label="Or build them from a MediaNest checkout"
        hint="The folder of a MediaNest repository on the computer that runs the appliance, such as /home/me/src/medianest. The backend and frontend images built there go into the list above."
        error={state.phase === 'error' ? state.field : undefined}
        value={sourceDir}
        onValue={setSourceDir}
        spellCheck={false}
        placeholder="/home/me/src/medianest"
      />
      <button
        type="button"
        className="secondary"
        disabled={running || sourceDir.trim() === ''}
        onClick={() => void build()}
      >
        {running ? 'Building…' : 'Build images'}
      </button>
      {state.phase === 'refused' && <CheckoutFindings findings={state.findings} />}
      {state.phase === 'error' && !state.field && (
        <p className="error" role="alert">
          The build could not start: {state.message}
        </p>
      )}
      {state.phase === 'job' && (
        <JobStatus
          run={state.run}
          success={
            state.filled
              ? 'Built: the new images are in the list above.'
              : 'Built: name the new images (medianest/<service>:local-…) in the list above.'
          }
        />
      )}
    </div>
  );
}
