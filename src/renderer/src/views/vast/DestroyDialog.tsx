import { useState } from 'react';
import { asAppError } from '../../api';
import { Dialog } from './Dialog';
import { cost, perHour } from './format';
import { useVastStore, type InstanceData } from './vast-store';
import { ErrorBanner } from '../../components/ErrorBanner';

/** Destroying loses the disk for good, so the user types the label or the id, as on Vast's console. */
export function DestroyDialog({ instance, onClose }: { instance: InstanceData; onClose: () => void }) {
  const destroy = useVastStore((s) => s.destroy);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const t = typed.trim();
  const matches =
    t === String(instance.id) || (instance.label !== null && instance.label !== '' && t === instance.label);
  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      await destroy(instance.id, t);
      onClose();
    } catch (err) {
      setError(asAppError(err).message);
      setBusy(false);
    }
  };
  return (
    <Dialog title={`Destroy instance ${instance.id}?`} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (matches) void go();
        }}
      >
        <p>
          The instance and everything on its disk are deleted for good. It costs {perHour(instance.dphTotal)}{' '}
          now
          {instance.costSoFar !== null ? `; cost so far: ${cost(instance.costSoFar)}` : ''}.
        </p>
        <label className="field">
          <span>
            Type{' '}
            {instance.label ? (
              <>
                its label <code>{instance.label}</code> or its id <code>{instance.id}</code>
              </>
            ) : (
              <>
                its id <code>{instance.id}</code>
              </>
            )}{' '}
            to confirm
          </span>
          <input
            aria-label="Label or id to confirm"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            spellCheck={false}
            autoComplete="off"
          />
        </label>
        <ErrorBanner message={error} />
        <div className="vast-dialog-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="vast-danger" disabled={!matches || busy}>
            {busy ? 'Destroying…' : 'Destroy for good'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
