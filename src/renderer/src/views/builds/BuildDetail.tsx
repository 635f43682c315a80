import { useEffect, useState } from 'react';
import type { BuildRecordData } from '../../../../shared/contract/builds';
import { api, asAppError } from '../../api';
import { useOperation } from '../../stores/operations-store';
import { LogView } from '../../log/LogView';
import { LogBuffer } from '../../log/log-buffer';
import { buildModelFor, formatBytes, formatDuration } from './build-model';
import { useBuildsStore } from './builds-store';
import { PushForm } from './PushForm';

/** A build from its live operation, or, once main has forgotten the operation, from the history on disk. */
export function BuildDetail({ record, id }: { record: BuildRecordData | undefined; id: string }) {
  const op = useOperation(id);
  const { cancel, rerun } = useBuildsStore();
  const live = op && op.error === null && (op.summary !== null || op.events.length > 0);
  const model = live ? buildModelFor(op) : null;
  const state = op?.summary?.state ?? record?.outcome ?? 'running';
  const error = op?.summary?.error ?? record?.error ?? null;
  const result =
    model?.result ??
    (record?.imageId
      ? { imageId: record.imageId, sizeBytes: record.sizeBytes ?? 0, tags: record.params.tags }
      : null);
  const title = record?.params.tags[0] ?? record?.params.contextDir.split('/').pop() ?? 'Build';
  const failedStep = model
    ? [...model.steps.values()].find((s) => s.state === 'failed')
    : record?.steps.find((s) => s.state === 'failed');

  return (
    <div className="build-detail">
      <header className="build-header">
        <div>
          <h2>
            {title} <span className={`outcome outcome-${state}`}>{state}</span>
          </h2>
          <div className="muted small">
            {record?.params.contextDir}
            {record?.builder ? ` · ${record.builder}` : ''}
            {record?.durationMs ? ` · ${formatDuration(record.durationMs)}` : ''}
          </div>
        </div>
        <div className="build-actions">
          {state === 'running' ? (
            <button type="button" onClick={() => void cancel(id)}>
              Cancel build
            </button>
          ) : null}
          {record && state !== 'running' ? (
            <button type="button" onClick={() => void rerun(id)}>
              Re-run
            </button>
          ) : null}
        </div>
      </header>
      {state === 'running' && model ? (
        <div
          className="progress"
          role="progressbar"
          aria-label="Build progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(model.progress() * 100)}
        >
          <div className="progress-bar" style={{ width: `${Math.round(model.progress() * 100)}%` }} />
        </div>
      ) : null}
      {error && state !== 'cancelled' ? (
        <div className="banner banner-error" role="alert" data-testid="build-error">
          <strong>{failedStep ? `Step failed: ${failedStep.name}` : 'The build failed.'}</strong>
          <p>{error.message}</p>
        </div>
      ) : null}
      {result && state === 'succeeded' ? (
        <div className="banner" data-testid="build-result">
          Built <code>{result.imageId.slice(0, 19)}</code> ({formatBytes(result.sizeBytes)})
          {result.tags.length ? ` as ${result.tags.join(', ')}` : ''}
          {result.tags[0] ? (
            <details>
              <summary>Push…</summary>
              <PushForm image={result.tags[0]} />
            </details>
          ) : null}
        </div>
      ) : null}
      {model ? (
        <LogView
          buffer={model.log}
          version={model.version + (op?.version ?? 0)}
          markers={model.markers()}
          label="Build log"
          emptyText="Waiting for the engine…"
        />
      ) : (
        <DiskLog id={id} record={record} />
      )}
    </div>
  );
}

/** The full log of a build from its file on disk, in pages. */
function DiskLog({ id, record }: { id: string; record: BuildRecordData | undefined }) {
  const [buffer] = useState(() => new LogBuffer());
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stop = false;
    buffer.clear();
    (async () => {
      let offset = 0;
      for (;;) {
        const page = await api['builds:log']({ id, offset, limit: 1024 * 1024 });
        if (stop) return;
        buffer.append(page.text);
        setVersion((v) => v + 1);
        if (page.nextOffset >= page.totalBytes) break;
        offset = page.nextOffset;
      }
    })().catch((err) => setError(asAppError(err).message));
    return () => {
      stop = true;
    };
  }, [id, buffer]);
  const markers = (record?.steps ?? []).map((s) => ({
    line: 0,
    label: s.name,
    state: s.state,
    detail: s.durationMs !== null ? formatDuration(s.durationMs) : undefined,
  }));
  return error ? (
    <p className="banner banner-error">{error}</p>
  ) : (
    <LogView buffer={buffer} version={version} markers={markers} label="Build log" />
  );
}
