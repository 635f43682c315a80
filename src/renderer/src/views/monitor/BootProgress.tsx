import { memo, useEffect, useState } from 'react';
import type { z } from 'zod';
import type { BootProgress as BootProgressSchema } from '../../../../shared/contract/monitor';
import { asAppError } from '../../api';
import { monitorApi } from './monitor-api';

type BootData = z.output<typeof BootProgressSchema>;

/** How often the boot is read while it is under way; nothing is read once it has ended. */
const BOOT_POLL_MS = 1000;

const MARK: Record<BootData['steps'][number]['state'], string> = {
  pending: '○',
  running: '◐',
  done: '✓',
  failed: '✗',
  skipped: '–',
};

const OUTCOME: Record<BootData['outcome'], string> = {
  booting: 'Booting…',
  ready: 'Booted: ready',
  'ready-with-failures': 'Booted with failures',
  stopped: 'Not running: the container is stopped',
};

function seconds(fromMs: number | null, toMs: number | null): string {
  return fromMs && toMs && toMs >= fromMs ? ` +${Math.round((toMs - fromMs) / 1000)} s` : '';
}

/**
 * A run's boot flow as it passes (Vast's: onstart, the boot stages, supervisord, PROVISIONING_SCRIPT,
 * ready), with the provisioning log live; once it has ended, a one-line summary that opens to the
 * same steps and logs.
 */
export const BootProgress = memo(function BootProgress({ target }: { target: string }) {
  const [boot, setBoot] = useState<BootData | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const read = async () => {
      try {
        const b = await monitorApi['monitor:bootProgress']({ target });
        if (stopped) return;
        setBoot(b);
        setError(null);
        if (b.outcome === 'booting') timer = setTimeout(() => void read(), BOOT_POLL_MS);
      } catch (err) {
        if (stopped) return;
        setError(asAppError(err).message);
        timer = setTimeout(() => void read(), BOOT_POLL_MS * 5);
      }
    };
    void read();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [target]);

  if (error && !boot) {
    return (
      <div className="banner banner-error" role="alert">
        Boot progress: {error}
      </div>
    );
  }
  if (!boot) return <p className="muted">Reading the boot…</p>;

  const started = boot.steps.find((s) => s.id === 'started')?.at ?? null;
  const body = (
    <>
      <ol className="boot-steps" aria-label="Boot steps">
        {boot.steps.map((s) => (
          <li
            key={s.id}
            className={`boot-step boot-step-${s.state}`}
            data-step={s.id}
            data-state={s.state}
            aria-label={`${s.label}: ${s.state}`}
          >
            <span className="boot-mark" aria-hidden="true">
              {MARK[s.state]}
            </span>
            <span className="boot-label">{s.label}</span>
            <span className="muted">
              {s.state}
              {seconds(started, s.at)}
              {s.detail ? ` · ${s.detail}` : ''}
            </span>
          </li>
        ))}
      </ol>
      {boot.failures.length ? (
        <ul className="boot-failures" aria-label="Failed boot stages">
          {boot.failures.map((f) => (
            <li key={f}>
              <code>{f}</code>
            </li>
          ))}
        </ul>
      ) : null}
      <figure className="boot-log">
        <figcaption>
          Provisioning log <span className="muted">/var/log/portal/provisioning.log</span>
        </figcaption>
        <pre role="log" aria-label="Provisioning log" tabIndex={0}>
          {boot.provisioningLog || 'Nothing yet.'}
        </pre>
      </figure>
    </>
  );

  return (
    <section className="boot-progress" aria-label="Boot progress" data-outcome={boot.outcome}>
      {boot.outcome === 'booting' ? (
        <>
          <h3 role="status">{OUTCOME.booting}</h3>
          {body}
        </>
      ) : (
        <details>
          <summary role="status">
            <strong>{OUTCOME[boot.outcome]}</strong>{' '}
            <span className="muted">
              {boot.steps.filter((s) => s.state === 'done').length} of {boot.steps.length} steps ·{' '}
              {boot.stages.length} boot stages · provisioning{' '}
              {boot.steps.find((s) => s.id === 'provisioning')?.state}
            </span>
          </summary>
          {body}
        </details>
      )}
    </section>
  );
});
