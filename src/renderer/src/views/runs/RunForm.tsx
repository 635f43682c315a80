import { useRef, useState, type RefObject } from 'react';
import { useRunsStore } from './runs-store';
import {
  EMPTY_RUN_OPTIONS,
  LIMIT_BOUNDS,
  countSetOptions,
  parseRunOptions,
  type LimitField,
  type RunOptionsErrors,
  type RunOptionsField,
  type RunOptionsText,
} from './run-options';

type Mode = 'ssh' | 'jupyter' | 'args';

/**
 * "Run a template or image": source, mode and workspace in one row, the rest behind More options.
 * What is typed stays when a check refuses it; nothing is sent until every field reads.
 */
export function RunForm() {
  const s = useRunsStore();
  const [source, setSource] = useState('');
  const [mode, setMode] = useState<Mode>('ssh');
  const [workspace, setWorkspace] = useState('');
  const [options, setOptions] = useState<RunOptionsText>(EMPTY_RUN_OPTIONS);
  // Number fields whose text the browser cannot read as a number (it then reports '').
  const [unreadable, setUnreadable] = useState<ReadonlySet<LimitField>>(new Set());
  const [moreOpen, setMoreOpen] = useState(false);
  // Errors show once a run was refused for them, then follow the typing until it is fixed.
  const [showErrors, setShowErrors] = useState(false);
  const optionsRef = useRef<HTMLDivElement>(null);
  const checked = showErrors ? parseRunOptions(options, mode, unreadable) : null;
  const optionErrors = checked && !checked.ok ? checked.errors : {};
  const setCount = countSetOptions(options, mode);

  return (
    <form
      className="inline-form run-form"
      aria-label="Run a template or image"
      // The option fields show our own inline errors; the browser's bubbles would come first otherwise.
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!source.trim()) return;
        const parsed = parseRunOptions(options, mode, unreadable);
        if (!parsed.ok) {
          setShowErrors(true);
          setMoreOpen(true);
          // After the render that opens the panel and marks the fields.
          setTimeout(
            () => optionsRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(),
            0,
          );
          return;
        }
        setShowErrors(false);
        void s.start({
          source: source.trim(),
          mode,
          ...(workspace.trim() ? { workspace: workspace.trim() } : {}),
          ...parsed.input,
        });
      }}
    >
      <input
        aria-label="Template folder or image"
        placeholder="/path/to/template or image:tag"
        value={source}
        onChange={(e) => setSource(e.target.value)}
      />
      <select aria-label="Launch mode" value={mode} onChange={(e) => setMode(e.target.value as Mode)}>
        <option value="ssh">SSH mode</option>
        <option value="jupyter">Jupyter mode</option>
        <option value="args">Entrypoint / args mode</option>
      </select>
      <input
        aria-label="Workspace"
        className="workspace-input"
        placeholder="workspace: /host/folder or volume:NAME (optional, remembered)"
        value={workspace}
        onChange={(e) => setWorkspace(e.target.value)}
        title="Mounted at the image's WORKSPACE (default /workspace); the choice is remembered per template. 'none' forgets it."
      />
      <button
        type="button"
        className="more-toggle"
        aria-expanded={moreOpen}
        aria-controls="run-options"
        onClick={() => setMoreOpen(!moreOpen)}
      >
        <span className="more-caret" aria-hidden="true">
          {moreOpen ? '▾' : '▸'}
        </span>{' '}
        More options{setCount > 0 ? ` (${setCount} set)` : ''}
      </button>
      <button type="submit" disabled={!source.trim()}>
        Run like Vast
      </button>
      {moreOpen ? (
        <RunOptionsPanel
          panelRef={optionsRef}
          options={options}
          errors={optionErrors}
          argsEnabled={mode === 'args'}
          onChange={(field, value, bad) => {
            setOptions((o) => ({ ...o, [field]: value }));
            if (bad !== undefined)
              setUnreadable((u) => {
                const next = new Set(u);
                if (bad) next.add(field as LimitField);
                else next.delete(field as LimitField);
                return next;
              });
          }}
        />
      ) : null}
    </form>
  );
}

const LIMIT_FIELDS: { field: LimitField; label: string; hint: string }[] = [
  { field: 'cpus', label: 'CPUs', hint: 'fractions allowed' },
  { field: 'memoryGb', label: 'Memory (GB)', hint: '1 GB = 1024³ bytes' },
  { field: 'shmGb', label: 'Shared memory /dev/shm (GB)', hint: "Docker's default: 64 MB" },
  { field: 'diskGb', label: 'Disk (GB)', hint: 'needs disk quotas' },
];

function boundsText(field: LimitField): string {
  const { min, max } = LIMIT_BOUNDS[field];
  return max === null ? `at least ${min}` : `${min} – ${max}`;
}

/** The More options fields: render only; parsing and checks live in run-options.ts. */
function RunOptionsPanel({
  panelRef,
  options,
  errors,
  argsEnabled,
  onChange,
}: {
  panelRef: RefObject<HTMLDivElement | null>;
  options: RunOptionsText;
  errors: RunOptionsErrors;
  argsEnabled: boolean;
  /** `bad` is set for number fields: whether the browser could not read the text as a number. */
  onChange: (field: RunOptionsField, value: string, bad?: boolean) => void;
}) {
  const describe = (field: RunOptionsField) => ({
    id: `run-opt-${field}`,
    'aria-invalid': errors[field] ? true : undefined,
    'aria-describedby': `run-opt-${field}-note`,
  });
  const note = (field: RunOptionsField, hint: string) =>
    errors[field] ? (
      <span className="run-opt-error" id={`run-opt-${field}-note`}>
        {errors[field]}
      </span>
    ) : (
      <span className="run-opt-hint" id={`run-opt-${field}-note`}>
        {hint}
      </span>
    );
  const argsWhy = argsEnabled
    ? "Replaces the image's CMD, split like a shell would"
    : 'Used in Entrypoint / args mode only: SSH and Jupyter modes replace the entrypoint with /.launch';
  return (
    <div className="run-options" id="run-options" ref={panelRef} role="group" aria-label="More options">
      {LIMIT_FIELDS.map(({ field, label, hint }) => {
        const b = LIMIT_BOUNDS[field];
        return (
          <div key={field} className="run-opt">
            <label className="run-opt-label" htmlFor={`run-opt-${field}`}>
              {label}
            </label>
            <input
              {...describe(field)}
              type="number"
              inputMode="decimal"
              min={b.min}
              max={b.max ?? undefined}
              step={b.step}
              placeholder="not set"
              value={options[field]}
              onChange={(e) => onChange(field, e.target.value, e.target.validity.badInput)}
            />
            {note(field, `${boundsText(field)} · ${hint}`)}
          </div>
        );
      })}
      <div className="run-opt run-opt-half">
        <label className="run-opt-label" htmlFor="run-opt-ports">
          Extra ports
        </label>
        <input
          {...describe('ports')}
          placeholder="8000, 9000/udp, 70000"
          spellCheck={false}
          value={options.ports}
          onChange={(e) => onChange('ports', e.target.value)}
        />
        {note('ports', 'comma or space separated; 70000 and above: identity ports')}
      </div>
      <div className="run-opt run-opt-half">
        <label className="run-opt-label" htmlFor="run-opt-template">
          Template name
        </label>
        <input
          {...describe('template')}
          placeholder="the only one under templates/"
          spellCheck={false}
          value={options.template}
          onChange={(e) => onChange('template', e.target.value)}
        />
        {note('template', 'for a folder holding several templates/<name>')}
      </div>
      <div className="run-opt run-opt-full" title={argsWhy}>
        <label className="run-opt-label" htmlFor="run-opt-args">
          Arguments
        </label>
        <input
          {...describe('args')}
          disabled={!argsEnabled}
          title={argsWhy}
          placeholder={argsEnabled ? "empty: the template's args_str is used" : 'args mode only'}
          spellCheck={false}
          value={options.args}
          onChange={(e) => onChange('args', e.target.value)}
        />
        {note('args', argsEnabled ? "replaces the image's CMD; quotes as in a shell" : argsWhy)}
      </div>
      <div className="run-opt run-opt-full">
        <label className="run-opt-label" htmlFor="run-opt-env">
          Environment
        </label>
        <textarea
          {...describe('env')}
          rows={3}
          spellCheck={false}
          placeholder={'HELLO=world\nDEBUG=1'}
          value={options.env}
          onChange={(e) => onChange('env', e.target.value)}
        />
        {note('env', 'one NAME=value a line; blank lines and lines starting with # are ignored')}
      </div>
    </div>
  );
}
