/** What the page shows instead of going blank: a trace that cannot be read, or a render failure. */
import { Component, type ReactNode } from 'react';

export function LoadError({ message }: { message: string }) {
  return (
    <main className="load-error" role="alert">
      <h1>Cannot play this trace</h1>
      <p data-testid="load-error">{message}</p>
      <p className="dim">
        Write a fresh one with <code>sevsim run SCENARIO --trace OUT.json</code>.
      </p>
    </main>
  );
}

export class RenderGuard extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (this.state.error)
      return <LoadError message={`The page failed to show this trace: ${this.state.error.message}`} />;
    return this.props.children;
  }
}
