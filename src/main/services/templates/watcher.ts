/**
 * Reports files changed outside the app. One recursive fs.watch per opened root (Linux supports
 * `recursive` since Node 19.1); events are coalesced for a short quiet period because editors save
 * through temp files and renames, which fire several events per save.
 */
import { watch, type FSWatcher } from 'node:fs';

export interface FolderWatcher {
  close(): void;
}

const IGNORED = /(^|\/)(\.git|node_modules|\.qa)(\/|$)|~$|\.swp$/;

export function watchFolder(
  root: string,
  onChange: (files: string[]) => void,
  options: { debounceMs?: number } = {},
): FolderWatcher {
  const debounceMs = options.debounceMs ?? 150;
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let watcher: FSWatcher | null = watch(root, { recursive: true }, (_event, filename) => {
    const file = filename ? filename.toString().split('\\').join('/') : '';
    if (file === '' || IGNORED.test(file)) return;
    pending.add(file);
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      const files = [...pending].sort();
      pending.clear();
      onChange(files);
    }, debounceMs);
  });
  // A watcher whose folder disappears emits 'error'; closing it is all there is to do.
  watcher.on('error', () => close());
  function close(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    watcher?.close();
    watcher = null;
  }
  return { close };
}
