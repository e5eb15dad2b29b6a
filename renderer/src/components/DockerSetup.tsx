import { useEffect, useState } from 'react';
import type { DockerInstallPlan } from '@contract';
import { useAppStore } from '../state/app-store';
import { onServerEvent } from '../state/live-store';
import './docker-setup.css';
import { messageOf } from '@contract';

type RunState =
  { state: 'idle' } | { state: 'running' } | { state: 'done'; ok: boolean; message: string };

/**
 * What to do when this computer has no working Docker engine: the plan's commands shown first (and
 * copyable), "Install Docker for me" only in the desktop app (the privilege prompt is the OS's own),
 * or the apps to choose from on macOS and Windows. Goes on by itself: the server's engine watcher
 * says when an engine answers, and the checks run again.
 */
export function DockerSetup({ plan }: { plan: DockerInstallPlan }) {
  const runDoctor = useAppStore((s) => s.runDoctor);
  const [copied, setCopied] = useState<string | undefined>();
  const [run, setRun] = useState<RunState>({ state: 'idle' });
  const canInstall =
    plan.kind === 'commands' && typeof window.desktop?.installDocker === 'function';

  useEffect(
    () =>
      onServerEvent((event) => {
        if (event.type === 'engine.appeared') void runDoctor();
      }),
    [runDoctor],
  );

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(plan.script);
      setCopied('Copied. Paste them in a terminal.');
    } catch {
      setCopied('Copying is not allowed here: select the commands and copy them.');
    }
  };

  const install = async () => {
    setRun({ state: 'running' });
    try {
      const result = await window.desktop!.installDocker();
      setRun({ state: 'done', ...result });
    } catch (error) {
      setRun({
        state: 'done',
        ok: false,
        message: messageOf(error),
      });
    }
  };

  return (
    <section className="docker-setup" aria-labelledby="docker-setup-title" data-plan={plan.kind}>
      <h3 id="docker-setup-title">Set up Docker on {plan.system}</h3>
      <p>{plan.summary}</p>
      {plan.kind === 'commands' && (
        <>
          <p>These commands will run, one after the other, with administrator rights:</p>
          <ol className="steps">
            {plan.steps.map((step) => (
              <li key={step.argv.join(' ')}>{step.title}</li>
            ))}
          </ol>
          <pre className="script" aria-label="Commands">
            {plan.script}
          </pre>
          <div className="actions">
            <button type="button" onClick={() => void copy()}>
              Copy commands
            </button>
            {canInstall && (
              <button
                type="button"
                className="primary"
                onClick={() => void install()}
                disabled={run.state === 'running'}
              >
                {run.state === 'running'
                  ? 'Installing… (answer the password prompt)'
                  : 'Install Docker for me'}
              </button>
            )}
          </div>
          {copied && <p role="status">{copied}</p>}
          {run.state === 'done' && (
            <p role="status" className={run.ok ? 'verdict verdict-ok' : 'error'}>
              {run.message}
            </p>
          )}
          {plan.groupNote && (
            <p className="group-note">
              <strong>About the docker group: </strong>
              {plan.groupNote}
            </p>
          )}
        </>
      )}
      {plan.kind === 'products' && (
        <ul className="products">
          {plan.products.map((product) => (
            <li key={product.id}>
              <a href={product.url} target="_blank" rel="noreferrer">
                {product.name}
              </a>
              {product.installed && <span className="badge badge-ok">Installed</span>} —{' '}
              {product.note}
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href={plan.docsUrl} target="_blank" rel="noreferrer">
          Docker&apos;s own instructions
        </a>
      </p>
      <p className="waiting" role="status" aria-live="polite">
        Waiting for Docker: this page goes on by itself when the engine answers.
      </p>
    </section>
  );
}
