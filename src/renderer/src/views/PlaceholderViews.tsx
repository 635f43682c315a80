import { EmptyState } from '../components/EmptyState';

export function RunsView() {
  return (
    <section className="view" aria-labelledby="runs-title">
      <header className="view-header">
        <h1 id="runs-title">Local runs</h1>
      </header>
      <EmptyState title="Nothing running locally">
        <p>
          Run a template on this machine exactly the way Vast launches it (SSH, Jupyter or args mode), then
          log in and watch its services.
        </p>
      </EmptyState>
    </section>
  );
}
