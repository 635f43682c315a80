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

export function VastView() {
  return (
    <section className="view" aria-labelledby="vast-title">
      <header className="view-header">
        <h1 id="vast-title">Vast</h1>
      </header>
      <EmptyState title="No Vast account connected">
        <p>
          Search offers, launch your templates and watch your instances. Without an API key the app uses its
          local sandbox, so you can try everything for free.
        </p>
      </EmptyState>
    </section>
  );
}
