import { create } from 'zustand';
import type { z } from 'zod';
import type {
  LintFinding,
  OpenedFolder,
  TemplateManifestView,
  ManifestEdit,
} from '../../../../shared/contract/templates';
import { api, asAppError } from '../../api';

export type OpenedFolderData = z.output<typeof OpenedFolder>;
export type ManifestViewData = z.output<typeof TemplateManifestView>;
export type LintFindingData = z.output<typeof LintFinding>;
export type ManifestEditData = z.input<typeof ManifestEdit>;

export interface SelectedFile {
  file: string;
  text: string;
  draft: string;
  line: number | null;
}

interface TemplatesState {
  folder: OpenedFolderData | null;
  recent: { path: string; openedAt: number }[];
  /** templates/<name> dir of the selected template, relative to root. */
  selectedTemplate: string | null;
  manifest: ManifestViewData | null;
  findings: LintFindingData[];
  linting: boolean;
  file: SelectedFile | null;
  error: string | null;
  saving: boolean;
  loadRecent(): Promise<void>;
  open(path: string): Promise<void>;
  selectTemplate(dir: string): Promise<void>;
  lint(): Promise<void>;
  saveManifest(edits: ManifestEditData[]): Promise<boolean>;
  openFile(file: string, line?: number | null): Promise<void>;
  setDraft(text: string): void;
  saveFile(): Promise<void>;
  clearError(): void;
}

export const useTemplatesStore = create<TemplatesState>((set, get) => ({
  folder: null,
  recent: [],
  selectedTemplate: null,
  manifest: null,
  findings: [],
  linting: false,
  file: null,
  error: null,
  saving: false,
  clearError: () => set({ error: null }),
  async loadRecent() {
    try {
      set({ recent: await api['templates:recent']({}) });
    } catch (err) {
      set({ error: asAppError(err).message });
    }
  },
  async open(path) {
    set({ error: null });
    try {
      const folder = await api['templates:open']({ path });
      const first = folder.images.flatMap((i) => i.templates)[0];
      set({ folder, selectedTemplate: null, manifest: null, file: null, findings: [] });
      void get().loadRecent();
      void get().lint();
      if (first) await get().selectTemplate(first.dir);
    } catch (err) {
      set({ error: asAppError(err).message });
    }
  },
  async selectTemplate(dir) {
    const folder = get().folder;
    if (!folder) return;
    try {
      const manifest = await api['templates:read']({ root: folder.root, template: dir });
      set({ selectedTemplate: dir, manifest, error: null });
    } catch (err) {
      set({ error: asAppError(err).message });
    }
  },
  async lint() {
    const folder = get().folder;
    if (!folder) return;
    set({ linting: true });
    try {
      const r = await api['templates:lint']({ path: folder.root, warnings: true });
      set({ findings: r.findings });
    } catch (err) {
      set({ error: asAppError(err).message });
    } finally {
      set({ linting: false });
    }
  },
  async saveManifest(edits) {
    const { folder, selectedTemplate } = get();
    if (!folder || !selectedTemplate || edits.length === 0) return false;
    set({ saving: true, error: null });
    try {
      await api['templates:save']({ kind: 'manifest', root: folder.root, template: selectedTemplate, edits });
      await get().selectTemplate(selectedTemplate);
      await get().lint();
      return true;
    } catch (err) {
      set({ error: asAppError(err).message });
      return false;
    } finally {
      set({ saving: false });
    }
  },
  async openFile(file, line = null) {
    const folder = get().folder;
    if (!folder) return;
    try {
      const r = await api['templates:readFile']({ root: folder.root, file });
      set({ file: { file: r.file, text: r.text, draft: r.text, line }, error: null });
    } catch (err) {
      set({ error: asAppError(err).message });
    }
  },
  setDraft(text) {
    const file = get().file;
    if (file) set({ file: { ...file, draft: text } });
  },
  async saveFile() {
    const { folder, file } = get();
    if (!folder || !file) return;
    set({ saving: true, error: null });
    try {
      const r = await api['templates:save']({
        kind: 'file',
        root: folder.root,
        file: file.file,
        text: file.draft,
      });
      set({ file: { ...file, text: r.text, draft: r.text } });
      await get().lint();
    } catch (err) {
      set({ error: asAppError(err).message });
    } finally {
      set({ saving: false });
    }
  },
}));

// Changes made outside the app: re-read what is shown and lint again.
api.on('templates:filesChanged', (change) => {
  const s = useTemplatesStore.getState();
  if (!s.folder || change.root !== s.folder.root) return;
  void s.lint();
  if (s.selectedTemplate) void s.selectTemplate(s.selectedTemplate);
  if (s.file && change.files.includes(s.file.file) && s.file.draft === s.file.text)
    void s.openFile(s.file.file, s.file.line);
});
