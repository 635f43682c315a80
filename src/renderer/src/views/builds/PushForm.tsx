import { useState } from 'react';
import { api, asAppError } from '../../api';
import { useOperation } from '../../stores/operations-store';

interface Layer {
  id: string;
  status: string;
  current: number | null;
  total: number | null;
}

/** Push a built image: credentials are checked against the registry first, then layers stream in. */
export function PushForm({ image }: { image: string }) {
  const [ref, setRef] = useState(image);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [opId, setOpId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const op = useOperation(opId);

  const layers = new Map<string, Layer>();
  let digest: string | null = null;
  for (const e of op?.events ?? []) {
    if (e.type === 'push:layerProgressed') {
      const l = e.data as Layer;
      layers.set(l.id, l);
    } else if (e.type === 'push:pushed') digest = (e.data as { pinnedReference: string }).pinnedReference;
  }
  const state = op?.summary?.state;

  return (
    <div className="push-form">
      <form
        className="field-row"
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          api['pushes:start']({
            image: ref,
            ...(username && password ? { credentials: { username, password } } : {}),
          }).then(
            (r) => setOpId(r.operationId),
            (err) => setError(asAppError(err).message),
          );
        }}
      >
        <label className="field">
          Push as
          <input value={ref} onChange={(e) => setRef(e.target.value)} />
        </label>
        <label className="field field-narrow">
          User (optional)
          <input value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" />
        </label>
        <label className="field field-narrow">
          Password
          <input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="off"
          />
        </label>
        <button type="submit" disabled={state === 'running'}>
          {state === 'running' ? 'Pushing…' : 'Push'}
        </button>
      </form>
      {(error ?? op?.summary?.error?.message) ? (
        <p className="banner banner-error" role="alert">
          {error ?? op?.summary?.error?.message}
        </p>
      ) : null}
      {layers.size > 0 ? (
        <ul className="layers" aria-label="Layers">
          {[...layers.values()].map((l) => (
            <li key={l.id}>
              <code>{l.id}</code> {l.status}
              {l.total ? <progress max={l.total} value={l.current ?? 0} /> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {digest ? (
        <p className="ok-text" data-testid="push-digest">
          Pushed: <code>{digest}</code>
        </p>
      ) : null}
    </div>
  );
}
