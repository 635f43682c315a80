import { useEngineStore } from '../stores/engine-store';
import type { EngineFactsData } from '../../../shared/types';
import { ErrorBanner } from '../components/ErrorBanner';

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

export function EngineView() {
  const status = useEngineStore((s) => s.status);
  const loadError = useEngineStore((s) => s.loadError);
  const refreshing = useEngineStore((s) => s.refreshing);
  const refresh = useEngineStore((s) => s.refresh);

  return (
    <section className="view" aria-labelledby="engine-title">
      <header className="view-header">
        <h1 id="engine-title">Docker engine</h1>
        <button type="button" onClick={() => void refresh()} disabled={refreshing}>
          {refreshing ? 'Checking…' : 'Check again'}
        </button>
      </header>
      <ErrorBanner message={loadError} />
      {!status ? (
        <p className="muted">Asking the engine…</p>
      ) : (
        <>
          <dl className="facts" aria-label="Endpoint">
            <dt>Endpoint</dt>
            <dd data-testid="engine-endpoint">
              <code>{status.endpoint.url}</code>
            </dd>
            <dt>Chosen because</dt>
            <dd>{status.endpoint.reason}</dd>
          </dl>
          {status.reachable ? (
            <EngineFacts facts={status.facts} />
          ) : (
            <div className="banner banner-error" role="alert" data-testid="engine-error">
              <strong>The Docker engine cannot be reached.</strong>
              <p>{status.error.message}</p>
              <p className="muted">
                This view checks again every second and recovers by itself when the engine answers.
              </p>
            </div>
          )}
        </>
      )}
    </section>
  );
}

function EngineFacts({ facts }: { facts: EngineFactsData }) {
  return (
    <>
      <div className="cards" data-testid="engine-facts">
        <div className="card">
          <div className="card-label">Engine version</div>
          <div className="card-value" data-testid="engine-version">
            {facts.version}
          </div>
          <div className="muted">API {facts.apiVersion}</div>
        </div>
        <div className="card">
          <div className="card-label">System</div>
          <div className="card-value">{facts.os}</div>
          <div className="muted">
            {facts.osType}/{facts.arch}, kernel {facts.kernel}
          </div>
        </div>
        <div className="card">
          <div className="card-label">Resources</div>
          <div className="card-value">{facts.cpus} CPUs</div>
          <div className="muted">{gib(facts.memoryBytes)} memory</div>
        </div>
        <div className="card">
          <div className="card-label">Images</div>
          <div className="card-value" data-testid="engine-images">
            {facts.images}
          </div>
        </div>
        <div className="card">
          <div className="card-label">Containers</div>
          <div className="card-value" data-testid="engine-containers">
            {facts.containers}
          </div>
          <div className="muted">{facts.containersRunning} running</div>
        </div>
      </div>
      <ul className="capabilities">
        <li className={facts.buildkit ? 'ok' : 'warn'}>
          {facts.buildkit
            ? 'BuildKit available: builds show steps and cache hits.'
            : 'No BuildKit: builds use the classic builder.'}
        </li>
        <li className={facts.nvidiaRuntime ? 'ok' : 'warn'}>
          {facts.nvidiaRuntime
            ? 'NVIDIA runtime registered: local runs get GPUs.'
            : 'No NVIDIA runtime: local runs are CPU-only. Install the NVIDIA Container Toolkit to pass GPUs through.'}
        </li>
        <li className="muted">Storage driver: {facts.storageDriver}</li>
      </ul>
    </>
  );
}
