import { useEffect, useState } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { useTemplatesStore } from './templates-store';
import { ManifestForm } from './ManifestForm';
import { LintPanel } from './LintPanel';
import { FileEditor } from './FileEditor';
import { useAppInfo } from '../../stores/app-info-store';
import './templates.css';

export function TemplatesView() {
  const s = useTemplatesStore();
  const info = useAppInfo();
  const [path, setPath] = useState('');
  const [tab, setTab] = useState<'manifest' | 'files'>('manifest');
  const [otherFile, setOtherFile] = useState('');

  useEffect(() => {
    void s.loadRecent();
    // Once, when the view opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const entry = s.manifest?.entries[0] ?? null;
  const image =
    s.folder?.images.find((i) => i.templates.some((t) => t.dir === s.selectedTemplate)) ??
    s.folder?.images[0];
  const dockerfile = image?.hasDockerfile ? (image.path ? `${image.path}/Dockerfile` : 'Dockerfile') : null;
  const filesFromFindings = [...new Set(s.findings.map((f) => f.file))].filter((f) => f !== dockerfile);

  return (
    <section className="view view-fill" aria-labelledby="templates-title">
      <header className="view-header">
        <h1 id="templates-title">Templates</h1>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (path.trim()) void s.open(path.trim());
          }}
        >
          <input
            aria-label="Template folder"
            placeholder="/path/to/template-folder or repository"
            value={path}
            onChange={(e) => setPath(e.target.value)}
          />
          <button type="submit" className="primary" disabled={!path.trim()}>
            Open
          </button>
        </form>
      </header>
      {s.error ? (
        <div className="banner banner-error" role="alert">
          {s.error}{' '}
          <button type="button" onClick={s.clearError}>
            Dismiss
          </button>
        </div>
      ) : null}
      {!s.folder ? (
        <EmptyState
          title="No template folder open"
          action={
            info?.demoTemplate ? (
              <button type="button" className="primary" onClick={() => void s.open(info.demoTemplate!)}>
                Open the demo template
              </button>
            ) : null
          }
        >
          <p>
            A template is an image folder: a Dockerfile, a <code>ROOT/</code> overlay and{' '}
            <code>templates/&lt;name&gt;/template.yml</code>. Open one folder, or a whole repository of them.
          </p>
          {s.recent.length > 0 ? (
            <ul className="recent">
              {s.recent.map((r) => (
                <li key={r.path}>
                  <button type="button" onClick={() => void s.open(r.path)}>
                    {r.path}
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
        </EmptyState>
      ) : (
        <div className="templates-layout">
          <nav className="image-list" aria-label="Images">
            <div className="muted small">{s.folder.root}</div>
            {s.folder.images.map((img) => (
              <div key={img.path || '.'} className="image-item">
                <div className="image-name">
                  {img.name} <span className="badge">{img.class}</span>
                </div>
                <ul>
                  {img.templates.map((t) => (
                    <li key={t.dir}>
                      <button
                        type="button"
                        className={t.dir === s.selectedTemplate ? 'active' : ''}
                        aria-current={t.dir === s.selectedTemplate ? 'true' : undefined}
                        onClick={() => void s.selectTemplate(t.dir)}
                      >
                        {t.name}
                      </button>
                    </li>
                  ))}
                  {img.templates.length === 0 ? (
                    <li className="muted small">no templates/&lt;name&gt;/template.yml</li>
                  ) : null}
                </ul>
              </div>
            ))}
          </nav>
          <div className="template-main">
            <div className="tabs" role="tablist">
              <div className={tab === 'manifest' ? 'tab active' : 'tab'}>
                <button
                  type="button"
                  role="tab"
                  aria-selected={tab === 'manifest'}
                  onClick={() => setTab('manifest')}
                >
                  Manifest
                </button>
              </div>
              <div className={tab === 'files' ? 'tab active' : 'tab'}>
                <button
                  type="button"
                  role="tab"
                  aria-selected={tab === 'files'}
                  onClick={() => setTab('files')}
                >
                  Files
                </button>
              </div>
            </div>
            {tab === 'manifest' ? (
              entry ? (
                <ManifestForm
                  key={s.manifest?.text}
                  entry={entry}
                  saving={s.saving}
                  onSave={s.saveManifest}
                />
              ) : (
                <p className="muted">Choose a template on the left.</p>
              )
            ) : (
              <div className="files-tab">
                <div className="file-buttons">
                  {dockerfile ? (
                    <button type="button" onClick={() => void s.openFile(dockerfile)}>
                      Dockerfile
                    </button>
                  ) : null}
                  {s.manifest ? (
                    <button type="button" onClick={() => void s.openFile(s.manifest!.file)}>
                      template.yml
                    </button>
                  ) : null}
                  {filesFromFindings.map((f) => (
                    <button key={f} type="button" onClick={() => void s.openFile(f)}>
                      {f}
                    </button>
                  ))}
                  <form
                    className="inline-form"
                    onSubmit={(e) => {
                      e.preventDefault();
                      if (otherFile.trim()) void s.openFile(otherFile.trim());
                    }}
                  >
                    <input
                      aria-label="Open file"
                      placeholder="ROOT/opt/supervisor-scripts/app.sh"
                      value={otherFile}
                      onChange={(e) => setOtherFile(e.target.value)}
                    />
                  </form>
                </div>
                {s.file ? (
                  <FileEditor
                    file={s.file}
                    findings={s.findings}
                    saving={s.saving}
                    onChange={s.setDraft}
                    onSave={() => void s.saveFile()}
                  />
                ) : (
                  <p className="muted">Open a file to edit it.</p>
                )}
              </div>
            )}
          </div>
          <LintPanel
            findings={s.findings}
            linting={s.linting}
            onJump={(f) => {
              setTab('files');
              void s.openFile(f.file, f.line);
            }}
          />
        </div>
      )}
    </section>
  );
}
