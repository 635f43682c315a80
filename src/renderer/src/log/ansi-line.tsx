import Anser from 'anser';
import { memo } from 'react';

/**
 * One log line with its colours. Escape sequences are parsed into styled spans of plain text:
 * nothing in a log line is ever interpreted as HTML, and sequences other than colours are dropped.
 */
export const AnsiLine = memo(function AnsiLine({ text, highlight }: { text: string; highlight?: string }) {
  if (!text.includes('\u001b')) return <>{highlighted(text, highlight)}</>;
  const chunks = Anser.ansiToJson(text, { json: true, remove_empty: true, use_classes: false });
  return (
    <>
      {chunks.map((chunk, i) => {
        const style: React.CSSProperties = {};
        if (chunk.fg) style.color = `rgb(${chunk.fg})`;
        if (chunk.bg) style.backgroundColor = `rgb(${chunk.bg})`;
        const decorations = chunk.decorations ?? [];
        if (decorations.includes('bold')) style.fontWeight = 600;
        if (decorations.includes('italic')) style.fontStyle = 'italic';
        if (decorations.includes('underline')) style.textDecoration = 'underline';
        if (decorations.includes('dim')) style.opacity = 0.7;
        return (
          <span key={i} style={style}>
            {highlighted(chunk.content, highlight)}
          </span>
        );
      })}
    </>
  );
});

function highlighted(text: string, needle: string | undefined): React.ReactNode {
  if (!needle) return text;
  const lower = text.toLowerCase();
  const n = needle.toLowerCase();
  const out: React.ReactNode[] = [];
  let from = 0;
  let at = lower.indexOf(n);
  while (at >= 0) {
    if (at > from) out.push(text.slice(from, at));
    out.push(
      <mark key={at} className="log-match">
        {text.slice(at, at + n.length)}
      </mark>,
    );
    from = at + n.length;
    at = lower.indexOf(n, from);
  }
  if (from < text.length) out.push(text.slice(from));
  return out;
}
