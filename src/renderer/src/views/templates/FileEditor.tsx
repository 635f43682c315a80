import { useEffect, useRef } from 'react';
import type { LintFindingData, SelectedFile } from './templates-store';

const LINE_HEIGHT = 18;

/** A plain code view with line numbers and lint markers; the text stays text, never markup. */
export function FileEditor({
  file,
  findings,
  saving,
  onChange,
  onSave,
}: {
  file: SelectedFile;
  findings: LintFindingData[];
  saving: boolean;
  onChange: (text: string) => void;
  onSave: () => void;
}) {
  const areaRef = useRef<HTMLTextAreaElement>(null);
  const gutterRef = useRef<HTMLDivElement>(null);
  const lines = file.draft.split('\n');
  const marks = new Map<number, LintFindingData[]>();
  for (const f of findings) if (f.file === file.file) marks.set(f.line, [...(marks.get(f.line) ?? []), f]);

  useEffect(() => {
    const area = areaRef.current;
    if (!area || file.line === null) return;
    area.scrollTop = Math.max(0, (file.line - 5) * LINE_HEIGHT);
    const offset =
      file.draft
        .split('\n')
        .slice(0, file.line - 1)
        .join('\n').length + (file.line > 1 ? 1 : 0);
    area.focus();
    area.setSelectionRange(offset, offset);
    // Only when a jump asks for a line, not on every keystroke.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [file.file, file.line]);

  const dirty = file.draft !== file.text;
  return (
    <div className="file-editor">
      <div className="file-editor-bar">
        <code>{file.file}</code>
        <button type="button" className="primary" disabled={!dirty || saving} onClick={onSave}>
          {saving ? 'Saving…' : dirty ? 'Save file' : 'Saved'}
        </button>
      </div>
      <div className="file-editor-body">
        <div className="gutter" ref={gutterRef} aria-hidden="true">
          {lines.map((_, i) => {
            const m = marks.get(i + 1);
            const sev = m?.some((f) => f.severity === 'error') ? 'error' : m ? 'warning' : null;
            return (
              <div
                key={i}
                className={sev ? `gutter-line gutter-${sev}` : 'gutter-line'}
                title={m?.map((f) => `${f.code}: ${f.message}`).join('\n')}
              >
                {i + 1}
              </div>
            );
          })}
        </div>
        <textarea
          ref={areaRef}
          aria-label={`Contents of ${file.file}`}
          spellCheck={false}
          value={file.draft}
          onChange={(e) => onChange(e.target.value)}
          onScroll={(e) => {
            if (gutterRef.current) gutterRef.current.scrollTop = e.currentTarget.scrollTop;
          }}
          onKeyDown={(e) => {
            if ((e.ctrlKey || e.metaKey) && e.key === 's') {
              e.preventDefault();
              if (dirty) onSave();
            }
          }}
        />
      </div>
    </div>
  );
}
