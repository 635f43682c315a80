import type { LintFindingData } from './templates-store';

export function LintPanel({
  findings,
  linting,
  onJump,
}: {
  findings: LintFindingData[];
  linting: boolean;
  onJump: (f: LintFindingData) => void;
}) {
  // Errors first: they block a build or a publish; warnings are advice.
  const sorted = [...findings].sort((a, b) =>
    a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1,
  );
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  return (
    <aside className="lint-panel" aria-label="Lint">
      <h2>
        Lint{' '}
        <span className="muted" data-testid="lint-summary">
          {linting
            ? 'checking…'
            : findings.length === 0
              ? 'clean'
              : `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`}
        </span>
      </h2>
      {findings.length === 0 && !linting ? (
        <p className="muted">No findings. Lint checks what Vast's own linter checks, and more.</p>
      ) : null}
      <ul className="findings">
        {sorted.map((f, i) => (
          <li key={`${f.code}-${f.file}-${f.line}-${i}`} className={`finding finding-${f.severity}`}>
            <button type="button" onClick={() => onJump(f)} title="Open the file at this line">
              <span className="finding-code">{f.code}</span>
              <span className="finding-message">{f.message}</span>
              <span className="finding-where">
                {f.file}:{f.line}:{f.column}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
