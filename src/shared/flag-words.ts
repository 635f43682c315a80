import { split } from 'shlex';

/** A Docker-flag string cut into words, and whether it ended inside a quote or an escape. */
export interface FlagWords {
  words: string[];
  /** False when the text ended inside a quote or after a lone backslash; the words then read it as closed. */
  complete: boolean;
}

// Ways to close open text, tried in order: a lone trailing backslash is doubled (a literal
// backslash); an open quote is closed as a double quote, a single quote, or a double quote whose
// last character was a backslash.
const CLOSE_ESCAPE = ['\\'];
const CLOSE_QUOTE = ['"', "'", '\\"'];

/**
 * Split a template's env string (`-e K="V" -p 8080:8080 …`) into words the way Python's
 * shlex.split does: quotes and backslashes only. Vast's tooling is Python and docker never runs a
 * shell on these flags, so `$HOME`, `${X`, `*`, `;` and `#` stay literal (a shell parser would
 * expand, glob or cut them, or throw on `${`). Never throws: open text is read as if closed, and
 * `complete` tells the caller so it can say so.
 */
export function splitFlagWords(text: string): FlagWords {
  try {
    return { words: split(text), complete: true };
  } catch (err) {
    const inEscape = err instanceof Error && err.message.includes('escape');
    for (const closer of inEscape ? CLOSE_ESCAPE : CLOSE_QUOTE) {
      try {
        return { words: split(text + closer), complete: false };
      } catch {
        // try the next way of closing it
      }
    }
    return { words: text.split(/\s+/).filter(Boolean), complete: false };
  }
}
