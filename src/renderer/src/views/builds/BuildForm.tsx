import { useEffect, useState } from 'react';
import type { DockerfileArgData } from '../../../../shared/contract/builds';
import { api, asAppError } from '../../api';
import { useBuildsStore } from './builds-store';

interface ArgsInfo {
  args: DockerfileArgData[];
  stages: { index: number; name: string | null; from: string }[];
  remembered: Record<string, string>;
}

export function BuildForm() {
  const { start, draftContext, setDraftContext } = useBuildsStore();
  const [contextDir, setContextDir] = useState(draftContext);
  const [dockerfile, setDockerfile] = useState('Dockerfile');
  const [tags, setTags] = useState('');
  const [target, setTarget] = useState('');
  const [noCache, setNoCache] = useState(false);
  const [pull, setPull] = useState(false);
  const [builder, setBuilder] = useState<'auto' | 'buildkit' | 'classic'>('auto');
  const [info, setInfo] = useState<ArgsInfo | null>(null);
  const [values, setValues] = useState<Record<string, string>>({});
  const [argsError, setArgsError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!contextDir.trim()) return;
    let stale = false;
    const timer = setTimeout(() => {
      api['builds:args']({ contextDir: contextDir.trim(), dockerfile }).then(
        (r) => {
          if (stale) return;
          setInfo(r);
          setArgsError(null);
          setValues(
            Object.fromEntries(r.args.map((a) => [a.name, r.remembered[a.name] ?? a.defaultValue ?? ''])),
          );
        },
        (err) => {
          if (stale) return;
          setInfo(null);
          setArgsError(asAppError(err).message);
        },
      );
    }, 300);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [contextDir, dockerfile]);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setDraftContext(contextDir.trim());
    // Only the args the user changed from the Dockerfile's defaults are sent, as `docker build` would.
    const buildArgs: Record<string, string> = {};
    for (const a of info?.args ?? []) {
      const v = values[a.name] ?? '';
      if (v !== (a.defaultValue ?? '')) buildArgs[a.name] = v;
    }
    await start({
      contextDir: contextDir.trim(),
      dockerfile,
      tags: tags
        .split(/[\s,]+/)
        .map((t) => t.trim())
        .filter(Boolean),
      buildArgs,
      ...(target ? { target } : {}),
      noCache,
      pull,
      builder,
    });
    setBusy(false);
  };

  return (
    <form className="build-form" onSubmit={(e) => void submit(e)} aria-label="New build">
      <h2>New build</h2>
      <label className="field">
        Build context (the image folder)
        <input
          value={contextDir}
          onChange={(e) => setContextDir(e.target.value)}
          placeholder="/path/to/template"
          required
        />
      </label>
      <div className="field-row">
        <label className="field">
          Dockerfile
          <input value={dockerfile} onChange={(e) => setDockerfile(e.target.value)} />
        </label>
        <label className="field">
          Tags (comma-separated)
          <input value={tags} onChange={(e) => setTags(e.target.value)} placeholder="me/image:dev" />
        </label>
      </div>
      {argsError ? <p className="banner banner-error">{argsError}</p> : null}
      {info && info.args.length > 0 ? (
        <fieldset>
          <legend>Build arguments</legend>
          <table className="grid-table" aria-label="Build arguments">
            <tbody>
              {info.args.map((a) => (
                <tr key={`${a.name}-${a.line}`}>
                  <td>
                    <code>{a.name}</code>
                  </td>
                  <td className="grow">
                    <input
                      aria-label={`Value of ${a.name}`}
                      value={values[a.name] ?? ''}
                      placeholder={a.defaultValue ?? '(no default)'}
                      onChange={(e) => setValues({ ...values, [a.name]: e.target.value })}
                    />
                  </td>
                  <td className="muted small">default: {a.defaultValue ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </fieldset>
      ) : null}
      <div className="field-row">
        <label className="field field-narrow">
          Target stage
          <select value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="">(last)</option>
            {info?.stages
              .filter((s) => s.name)
              .map((s) => (
                <option key={s.index} value={s.name!}>
                  {s.name}
                </option>
              ))}
          </select>
        </label>
        <label className="field field-narrow">
          Builder
          <select value={builder} onChange={(e) => setBuilder(e.target.value as typeof builder)}>
            <option value="auto">Auto (BuildKit if available)</option>
            <option value="buildkit">BuildKit</option>
            <option value="classic">Classic</option>
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={noCache} onChange={(e) => setNoCache(e.target.checked)} /> No cache
        </label>
        <label className="check">
          <input type="checkbox" checked={pull} onChange={(e) => setPull(e.target.checked)} /> Pull base
          images
        </label>
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy || !contextDir.trim()}>
          {busy ? 'Starting…' : 'Build'}
        </button>
      </div>
    </form>
  );
}
