import { useEffect, useState } from 'react';
import { asAppError } from '../../api';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useAppInfo } from '../../stores/app-info-store';
import { useVastStore, type VastTemplateData } from './vast-store';

/** The account's templates on Vast: publish a local template.yml (or update it), delete. */
export function VastTemplatesPanel() {
  const { templates, templatesError, loadTemplates, publishTemplate } = useVastStore();
  const info = useAppInfo();
  const [path, setPath] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    void loadTemplates();
  }, [loadTemplates]);

  const value = path ?? info?.demoTemplate ?? '';
  const publish = async () => {
    setBusy(true);
    setError(null);
    setNote(null);
    try {
      const r = await publishTemplate(value.trim());
      setNote(
        r.action === 'created'
          ? `Published as template ${r.id} (hash ${r.hashId}).`
          : `Updated template ${r.id}; Vast gave it a new hash, ${r.hashId}.`,
      );
    } catch (err) {
      setError(asAppError(err).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="vast-templates">
      <form
        className="vast-publish"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) void publish();
        }}
      >
        <label className="field">
          Publish a local template (template.yml or its folder); publishing it again updates it
          <input value={value} onChange={(e) => setPath(e.target.value)} spellCheck={false} />
        </label>
        <button type="submit" className="primary" disabled={busy || !value.trim()}>
          {busy ? 'Publishing…' : 'Publish to Vast'}
        </button>
      </form>
      {note ? (
        <p className="vast-note" role="status">
          {note}
        </p>
      ) : null}
      <ErrorBanner message={error ?? templatesError} />
      {templates === null ? (
        <p className="muted">Loading…</p>
      ) : templates.length === 0 ? (
        <EmptyState title="No templates on this account">
          <p>
            Publish a template.yml: env and ports are folded into Vast's flag string as Vast's own tooling
            does.
          </p>
        </EmptyState>
      ) : (
        <table className="vast-table" aria-label="Templates on Vast">
          <thead>
            <tr>
              <th>Name</th>
              <th>Image</th>
              <th>Hash</th>
              <th>Visibility</th>
              <th>Created</th>
              <th>
                <span className="vast-visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {templates.map((t) => (
              <TemplateRow key={t.id} template={t} />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function TemplateRow({ template: t }: { template: VastTemplateData }) {
  const deleteTemplate = useVastStore((s) => s.deleteTemplate);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const created = t.createdAt
    ? new Date(t.createdAt > 1e12 ? t.createdAt : t.createdAt * 1000).toLocaleString()
    : '—';
  return (
    <tr>
      <td className="vast-ellipsis" title={t.name ?? undefined}>
        {t.name ?? <span className="muted">unnamed</span>}{' '}
        {t.publishedByApp ? <span className="vast-chip">from the app</span> : null}
      </td>
      <td className="vast-ellipsis" title={`${t.image ?? ''}${t.tag ? `:${t.tag}` : ''}`}>
        <code>
          {t.image ?? '—'}
          {t.tag ? `:${t.tag}` : ''}
        </code>
      </td>
      <td>
        <code title={t.hashId}>{t.hashId.slice(0, 10)}</code>
      </td>
      <td>{t.private === null ? '—' : t.private ? 'private' : 'public'}</td>
      <td>{created}</td>
      <td className="vast-row-actions">
        {confirming ? (
          <>
            <button
              type="button"
              className="vast-danger"
              onClick={async () => {
                try {
                  await deleteTemplate(t.id);
                } catch (err) {
                  setError(asAppError(err).message);
                  setConfirming(false);
                }
              }}
            >
              Delete for good
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <button
            type="button"
            onClick={() => setConfirming(true)}
            aria-label={`Delete template ${t.name ?? t.id}`}
          >
            Delete…
          </button>
        )}
        {error ? (
          <div role="alert" className="vast-inline-error">
            {error}
          </div>
        ) : null}
      </td>
    </tr>
  );
}
