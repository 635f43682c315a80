import { useState } from 'react';
import { NOTIFICATION_KINDS } from '../../../../shared/contract/monitor';
import { asAppError } from '../../api';
import { monitorApi, type SettingsData } from './monitor-api';
import { useMonitorStore } from './monitor-store';
import { ErrorBanner } from '../../components/ErrorBanner';

const numberOrNull = (s: string): number | null => (s.trim() === '' ? null : Number(s));

/** Budgets, the idle rule and which notifications to raise; stored by main in the data dir. */
export function SettingsPanel({ settings }: { settings: SettingsData }) {
  const save = useMonitorStore((s) => s.saveSettings);
  const [perInstance, setPerInstance] = useState(settings.budgets.perInstanceUsd?.toString() ?? '');
  const [total, setTotal] = useState(settings.budgets.totalUsd?.toString() ?? '');
  const [daily, setDaily] = useState(settings.budgets.dailyUsd?.toString() ?? '');
  const [idleBelow, setIdleBelow] = useState(String(settings.idle.gpuUtilBelow));
  const [idleMinutes, setIdleMinutes] = useState(String(settings.idle.forMinutes));
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    setError(null);
    setNote(null);
    try {
      await save({
        budgets: {
          perInstanceUsd: numberOrNull(perInstance),
          totalUsd: numberOrNull(total),
          dailyUsd: numberOrNull(daily),
        },
        idle: { gpuUtilBelow: Number(idleBelow), forMinutes: Number(idleMinutes) },
      });
      setNote('Saved. The next poll checks the new budgets.');
    } catch (err) {
      setError(asAppError(err).message);
    }
  };

  return (
    <details className="monitor-settings">
      <summary>Budgets, idle rule and notifications</summary>
      <form
        className="monitor-settings-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label className="field">
          Budget per instance ($)
          <input
            inputMode="decimal"
            value={perInstance}
            onChange={(e) => setPerInstance(e.target.value)}
            placeholder="none"
          />
        </label>
        <label className="field">
          Total budget ($)
          <input
            inputMode="decimal"
            value={total}
            onChange={(e) => setTotal(e.target.value)}
            placeholder="none"
          />
        </label>
        <label className="field">
          Daily budget ($)
          <input
            inputMode="decimal"
            value={daily}
            onChange={(e) => setDaily(e.target.value)}
            placeholder="none"
          />
        </label>
        <label className="field">
          Idle: GPU under (%)
          <input inputMode="decimal" value={idleBelow} onChange={(e) => setIdleBelow(e.target.value)} />
        </label>
        <label className="field">
          …for (minutes)
          <input inputMode="decimal" value={idleMinutes} onChange={(e) => setIdleMinutes(e.target.value)} />
        </label>
        <button type="submit" className="primary">
          Save
        </button>
      </form>
      <fieldset className="monitor-switches">
        <legend>Notify me when</legend>
        {NOTIFICATION_KINDS.map((kind) => (
          <label key={kind}>
            <input
              type="checkbox"
              checked={settings.notify[kind]}
              onChange={(e) =>
                void save({ notify: { [kind]: e.target.checked } }).catch((err) =>
                  setError(asAppError(err).message),
                )
              }
            />{' '}
            {kind.replace(/-/g, ' ')}
          </label>
        ))}
        <button
          type="button"
          onClick={() => void monitorApi['notifications:test']({ kind: 'build-finished' })}
        >
          Send a test notification
        </button>
      </fieldset>
      {note ? <p role="status">{note}</p> : null}
      <ErrorBanner message={error} />
    </details>
  );
}
