import { Component, type ReactNode } from 'react';

interface Props {
  children: ReactNode;
  /** Changing it (e.g. the path) clears a shown error: another page may work. */
  resetKey: string;
}

interface State {
  error: Error | undefined;
  key: string;
}

/** A page that throws shows what happened and what to do, never a blank window. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: undefined, key: this.props.resetKey };

  static getDerivedStateFromError(error: Error): Partial<State> {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return props.resetKey === state.key ? null : { error: undefined, key: props.resetKey };
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <section className="card" role="alert" aria-labelledby="crash-title">
        <h2 id="crash-title">This page could not be shown</h2>
        <p className="error">{this.state.error.message}</p>
        <p>
          Your stack is not affected. Reload the page; if this keeps happening, download a support
          bundle from Settings and report it.
        </p>
        <button type="button" onClick={() => window.location.reload()}>
          Reload
        </button>
      </section>
    );
  }
}
