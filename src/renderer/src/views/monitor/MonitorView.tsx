import { memo, useEffect, useMemo, useState } from 'react';
import { api, asAppError } from '../../api';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner } from '../../components/ErrorBanner';
import { navigateTo } from '../../stores/notifications-store';
import { cost, perHour } from '../vast/format';
import { FleetOverview } from './FleetOverview';
import type { TargetData } from './monitor-api';
import { connectMonitor, useMonitorStore } from './monitor-store';
import { SettingsPanel } from './SettingsPanel';
import { TargetDetail } from './TargetDetail';
import { TargetList } from './TargetList';
import { ATTENTION_RANKS, rankOf } from './target-order';
import './monitor.css';

const ATTENTION_SHOWN = 8;

/** One formatter for every poll's time: toLocaleTimeString builds a new one on each call. */
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** Settings change when the user saves them, not on a poll: the form does not render per poll. */
const Settings = memo(SettingsPanel);

/** The fleet at a glance: counts, money, what needs attention first, then every target's charts. */
export function MonitorView() {
  const { fleet, ordered, orderKeys, version, error, settings, polling, pollNow } = useMonitorStore();
  const [selected, setSelected] = useState<string | null>(null);
  useEffect(() => void connectMonitor(), []);

  // The ordered list starts with the targets that need attention: they are its prefix.
  const attention = useMemo(() => {
    let n = 0;
    while (n < ordered.length && rankOf(ordered[n]!) < ATTENTION_RANKS) n++;
    return ordered.slice(0, n);
  }, [ordered]);
  const current = useMemo(
    () => (selected === null ? null : (fleet?.targets.find((t) => t.key === selected) ?? null)),
    [fleet, selected],
  );

  return (
    <section className="monitor-view view-fill" aria-label="Monitor">
      <header className="view-header">
        <h1>Monitor</h1>
        <span className="muted">
          {fleet && fleet.at > 0
            ? `polled ${clock.format(fleet.at)} · every ${Math.round(fleet.intervalMs / 1000)} s`
            : 'waiting for the first poll…'}
        </span>
        <button type="button" onClick={() => void pollNow()} disabled={polling}>
          {polling ? 'Polling…' : 'Poll now'}
        </button>
      </header>
      <ErrorBanner message={error} />
      {fleet?.sources.vast.ok === false ? (
        <div className="banner banner-error" role="alert">
          The Vast instance list could not be read: {fleet.sources.vast.error} Showing the last good poll.
        </div>
      ) : null}
      {fleet?.sources.runs.ok === false ? (
        <div className="banner banner-error" role="alert">
          Local runs could not be read: {fleet.sources.runs.error}
        </div>
      ) : null}
      {fleet ? <FleetOverview fleet={fleet} /> : null}
      {settings ? <Settings settings={settings} /> : null}
      {attention.length > 0 ? (
        <section className="monitor-attention" aria-label="Needs attention">
          <h2>
            Needs attention <span className="muted">({attention.length})</span>
          </h2>
          <ul>
            {attention.slice(0, ATTENTION_SHOWN).map((t) => (
              <AttentionItem key={t.key} target={t} onShow={() => setSelected(t.key)} />
            ))}
          </ul>
          {attention.length > ATTENTION_SHOWN ? (
            <p className="muted">…and {attention.length - ATTENTION_SHOWN} more, first in the list below.</p>
          ) : null}
        </section>
      ) : null}
      {fleet && fleet.targets.length === 0 ? (
        <EmptyState title="Nothing to watch yet">
          <p>Launch an instance on Vast or start a local run: its utilisation and cost appear here.</p>
        </EmptyState>
      ) : null}
      {fleet && fleet.targets.length > 0 ? (
        <div className="monitor-main">
          <TargetList rows={ordered} orderKeys={orderKeys} selected={selected} onSelect={setSelected} />
          {current ? (
            <TargetDetail target={current} version={version} />
          ) : (
            <p className="muted monitor-hint">Pick a row to see its charts.</p>
          )}
        </div>
      ) : null}
    </section>
  );
}

function AttentionItem({ target: t, onShow }: { target: TargetData; onShow: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const why = t.attention
    .map((a) =>
      a === 'failed'
        ? `failed: ${t.statusMsg ?? t.rawState}`
        : a === 'over-budget'
          ? `over budget: ${cost(t.costSoFar)} of ${cost(t.budgetUsd)}`
          : `idle GPU since ${t.idleSince ? clock.format(t.idleSince) : '—'}, ${perHour(t.ratePerHour)}`,
    )
    .join(' · ');
  return (
    <li className="monitor-attention-item" data-target={t.key}>
      <strong>{t.name}</strong> <span className="muted">{why}</span>
      <span className="monitor-attention-actions">
        <button type="button" onClick={onShow}>
          Charts
        </button>
        <button
          type="button"
          onClick={() =>
            navigateTo(
              t.kind === 'instance'
                ? { view: 'vast', anchor: `instance-${t.id}` }
                : { view: 'runs', anchor: `run-${t.id}` },
            )
          }
        >
          Open
        </button>
        {t.kind === 'instance' && t.attention.includes('idle') && t.state === 'running' ? (
          <button
            type="button"
            disabled={busy}
            title="Stopping keeps the disk (billed as storage) and frees the GPU"
            onClick={() => {
              setBusy(true);
              setError(null);
              api['vast:stop']({ id: Number(t.id) })
                .catch((err: unknown) => setError(asAppError(err).message))
                .finally(() => setBusy(false));
            }}
          >
            {busy ? 'Stopping…' : 'Stop it'}
          </button>
        ) : null}
      </span>
      {error ? (
        <span className="banner banner-error" role="alert">
          {error}
        </span>
      ) : null}
    </li>
  );
}
