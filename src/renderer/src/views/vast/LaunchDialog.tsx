import { useState } from 'react';
import { api, asAppError } from '../../api';
import { useAppInfo } from '../../stores/app-info-store';
import { useOperation } from '../../stores/operations-store';
import { Dialog } from './Dialog';
import { gb, percent, perHour, vramGb } from './format';
import { LaunchProgress } from './LaunchProgress';
import { useVastStore, type LaunchInputData, type LaunchPlanData, type OfferRowData } from './vast-store';
import { ErrorBanner } from '../../components/ErrorBanner';

const MODES = [
  { value: '', label: "The template's own mode" },
  { value: 'ssh', label: 'SSH (proxy)' },
  { value: 'ssh-direct', label: 'SSH, direct' },
  { value: 'jupyter', label: 'Jupyter (proxy)' },
  { value: 'jupyter-direct', label: 'Jupyter, direct' },
  { value: 'args', label: 'Entrypoint / args' },
] as const;

type Step =
  | { kind: 'choose' }
  | { kind: 'confirm'; plan: LaunchPlanData; input: LaunchInputData }
  | { kind: 'launched'; opId: string };

/** Template and mode, then a confirmation that says what it costs, then the launch followed live. */
export function LaunchDialog({
  offer,
  onClose,
  onShowInstances,
}: {
  offer: OfferRowData;
  onClose: () => void;
  onShowInstances: () => void;
}) {
  const [step, setStep] = useState<Step>({ kind: 'choose' });
  const title =
    step.kind === 'choose'
      ? `Launch on offer ${offer.id}`
      : step.kind === 'confirm'
        ? 'Confirm the launch'
        : 'Launching';
  return (
    <Dialog title={title} onClose={onClose} wide>
      <p className="vast-offer-line">
        {offer.numGpus}× {offer.gpuName} · {vramGb(offer.gpuRamMb)} each ·{' '}
        <strong>{perHour(offer.dphTotal)}</strong> · {percent(offer.reliability)} reliable ·{' '}
        {offer.geolocation ?? 'location unknown'}
      </p>
      {step.kind === 'choose' ? (
        <ChooseStep offer={offer} onPlanned={(plan, input) => setStep({ kind: 'confirm', plan, input })} />
      ) : step.kind === 'confirm' ? (
        <ConfirmStep
          plan={step.plan}
          input={step.input}
          onBack={() => setStep({ kind: 'choose' })}
          onLaunched={(opId) => setStep({ kind: 'launched', opId })}
        />
      ) : (
        <LaunchedStep opId={step.opId} onClose={onClose} onShowInstances={onShowInstances} />
      )}
    </Dialog>
  );
}

function ChooseStep({
  offer,
  onPlanned,
}: {
  offer: OfferRowData;
  onPlanned: (plan: LaunchPlanData, input: LaunchInputData) => void;
}) {
  const info = useAppInfo();
  const [templatePath, setTemplatePath] = useState<string | null>(null);
  const [mode, setMode] = useState('');
  const [label, setLabel] = useState('');
  const [disk, setDisk] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // Until the user types one, the path is the bundled demo template.
  const path = templatePath ?? info?.demoTemplate ?? '';
  const diskText = disk.trim();
  const diskGb = diskText === '' ? undefined : Number(diskText);
  const diskBad = diskGb !== undefined && (!Number.isFinite(diskGb) || diskGb < 8);

  const review = async () => {
    const input: LaunchInputData = {
      templatePath: path.trim(),
      offerId: offer.id,
      mode: mode === '' ? undefined : (mode as LaunchInputData['mode']),
      label: label.trim() || undefined,
      diskGb,
    };
    setBusy(true);
    setError(null);
    try {
      onPlanned(await api['vast:launchPlan'](input), input);
    } catch (err) {
      setError(asAppError(err).message);
      setBusy(false);
    }
  };

  return (
    <form
      className="vast-launch-form"
      onSubmit={(e) => {
        e.preventDefault();
        void review();
      }}
    >
      <label className="field">
        Template (template.yml or its folder)
        <input
          value={path}
          onChange={(e) => setTemplatePath(e.target.value)}
          spellCheck={false}
          placeholder="/path/to/template-folder"
        />
        {templatePath === null && info?.demoTemplate ? (
          <span className="muted">The demo template that ships with the app.</span>
        ) : null}
      </label>
      <div className="vast-launch-row">
        <label className="field">
          Launch mode
          <select value={mode} onChange={(e) => setMode(e.target.value)}>
            {MODES.map((m) => (
              <option key={m.value} value={m.value}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          Label
          <input value={label} onChange={(e) => setLabel(e.target.value)} placeholder="the template's name" />
        </label>
        <label className="field">
          Disk (GB)
          <input
            value={disk}
            onChange={(e) => setDisk(e.target.value)}
            inputMode="decimal"
            placeholder="default"
            aria-invalid={diskBad}
          />
        </label>
      </div>
      {diskBad ? <div className="muted">Disk must be a number of GB, at least 8.</div> : null}
      <ErrorBanner message={error} />
      <div className="vast-dialog-actions">
        <button type="submit" className="primary" disabled={busy || !path.trim() || diskBad}>
          {busy ? 'Reading the template…' : 'Review the launch'}
        </button>
      </div>
    </form>
  );
}

function ConfirmStep({
  plan,
  input,
  onBack,
  onLaunched,
}: {
  plan: LaunchPlanData;
  input: LaunchInputData;
  onBack: () => void;
  onLaunched: (opId: string) => void;
}) {
  const launch = useVastStore((s) => s.launch);
  const sandbox = useVastStore((s) => s.account?.sandbox ?? true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      onLaunched(await launch(input));
    } catch (err) {
      setError(asAppError(err).message);
      setBusy(false);
    }
  };
  return (
    <div className="vast-confirm">
      <div className="vast-cost" data-testid="launch-cost">
        <div>
          <div className="card-label">Price</div>
          <div className="card-value">{perHour(plan.dphTotal)}</div>
        </div>
        <div>
          <div className="card-label">Disk</div>
          <div className="card-value">{gb(plan.diskGb)}</div>
        </div>
        <div className="vast-cost-note muted">
          {sandbox
            ? 'Sandbox: nothing is billed.'
            : 'Billed from the moment it starts until you destroy it; Vast also bills the disk while stopped.'}
        </div>
      </div>
      <dl className="facts vast-plan" aria-label="What will be sent">
        <dt>Image</dt>
        <dd>
          <code>{plan.image}</code>
        </dd>
        <dt>Mode</dt>
        <dd>
          {plan.mode}{' '}
          <span className="muted">
            (runtype <code>{plan.runtype}</code>)
          </span>
        </dd>
        <dt>Label</dt>
        <dd>{plan.label || <span className="muted">none</span>}</dd>
        <dt>Ports</dt>
        <dd>
          {plan.ports.length ? (
            plan.ports.map((p) => <code key={p}>{p}</code>)
          ) : (
            <span className="muted">none</span>
          )}
        </dd>
        <dt>Environment</dt>
        <dd>
          {plan.envKeys.length ? (
            <span className="vast-env-keys">
              {plan.envKeys.map((k) => (
                <code key={k}>{k}</code>
              ))}
            </span>
          ) : (
            <span className="muted">none</span>
          )}
          <div className="muted small">Values stay in the app until they are sent to Vast.</div>
        </dd>
        <dt>Offer</dt>
        <dd>
          {plan.offer.id} on machine {plan.offer.machineId ?? '?'}
        </dd>
      </dl>
      <ErrorBanner message={error} />
      <div className="vast-dialog-actions">
        <button type="button" onClick={onBack} disabled={busy}>
          Back
        </button>
        <button type="button" className="primary" onClick={() => void go()} disabled={busy}>
          {busy ? 'Launching…' : `Launch for ${perHour(plan.dphTotal)}`}
        </button>
      </div>
    </div>
  );
}

function LaunchedStep({
  opId,
  onClose,
  onShowInstances,
}: {
  opId: string;
  onClose: () => void;
  onShowInstances: () => void;
}) {
  const op = useOperation(opId);
  const state = op?.summary?.state ?? 'running';
  return (
    <div>
      <LaunchProgress opId={opId} />
      <div className="vast-dialog-actions">
        <button type="button" onClick={onClose}>
          {state === 'running' ? 'Hide (keeps going)' : 'Close'}
        </button>
        <button type="button" className="primary" onClick={onShowInstances}>
          Show instances
        </button>
      </div>
    </div>
  );
}
