import { create } from 'zustand';
import type { z } from 'zod';
import type {
  InstanceSummary,
  LaunchInput,
  LaunchPlan,
  LedgerRow,
  OfferFilters,
  OfferRow,
  VastAccount,
  VastTemplateRow,
} from '../../../../shared/contract/vast';
import type { ImportableKeySource, SecretStoreStatus } from '../../../../shared/contract/account';
import { api, asAppError } from '../../api';

export type VastAccountData = z.output<typeof VastAccount>;
export type OfferRowData = z.output<typeof OfferRow>;
export type OfferFiltersData = z.input<typeof OfferFilters>;
export type InstanceData = z.output<typeof InstanceSummary>;
export type LedgerRowData = z.output<typeof LedgerRow>;
export type VastTemplateData = z.output<typeof VastTemplateRow>;
export type LaunchInputData = z.input<typeof LaunchInput>;
export type LaunchPlanData = z.output<typeof LaunchPlan>;
export type SecretStatusData = z.output<typeof SecretStoreStatus>;
export type ImportableKeyData = z.output<typeof ImportableKeySource>;

/** Vast documents a rate limit on the instance list: the view never asks more often than this. */
export const INSTANCE_POLL_MS = 10_000;

/** A launch the user started: followed as an operation until they dismiss it. */
export interface LaunchEntry {
  opId: string;
  offerId: number;
  title: string;
}

export type VastTab = 'offers' | 'instances' | 'cleanup' | 'templates';

interface VastState {
  /** The section shown; kept while the user visits other views. */
  tab: VastTab;
  setTab(tab: VastTab): void;
  account: VastAccountData | null;
  accountError: string | null;
  secrets: SecretStatusData | null;
  importable: ImportableKeyData | null;

  offers: OfferRowData[] | null;
  /** Bumped on every result, so the table starts again at its top. */
  offersVersion: number;
  sentQuery: Record<string, unknown> | null;
  searching: boolean;
  offersError: string | null;

  instances: InstanceData[] | null;
  instancesError: string | null;
  refreshingInstances: boolean;
  /** When the list was last read (ms): ages and costs are computed against it, not the render. */
  polledAt: number;
  ledger: LedgerRowData[];

  templates: VastTemplateData[] | null;
  templatesError: string | null;

  launches: LaunchEntry[];

  loadAccount(): Promise<void>;
  setKey(apiKey: string): Promise<void>;
  importKey(): Promise<void>;
  forgetKey(): Promise<void>;
  acceptPlaintext(accept: boolean): Promise<void>;

  search(filters: OfferFiltersData, templatePath?: string): Promise<void>;

  refreshInstances(): Promise<void>;
  /** A fresh summary from an operation's progress event, shown before the next poll. */
  upsertInstance(instance: InstanceData): void;
  instanceAction(id: number, action: 'start' | 'stop' | 'reboot'): Promise<void>;
  destroy(id: number, confirm: string): Promise<void>;
  relabel(id: number, label: string): Promise<void>;

  loadTemplates(): Promise<void>;
  publishTemplate(templatePath: string): Promise<{ id: number; hashId: string; action: string }>;
  deleteTemplate(id: number): Promise<void>;

  launch(input: LaunchInputData): Promise<string>;
  dismissLaunch(opId: string): void;
}

export const useVastStore = create<VastState>((set, get) => {
  // Several triggers (the poll, an action, a launch's end) may ask at once: one request serves them.
  let inFlight: Promise<void> | null = null;

  const afterKeyChange = async () => {
    set({ offers: null, sentQuery: null, instances: null, templates: null, ledger: [] });
    await get().loadAccount();
    void get().refreshInstances();
  };

  return {
    tab: 'offers',
    setTab: (tab) => set({ tab }),
    account: null,
    accountError: null,
    secrets: null,
    importable: null,
    offers: null,
    offersVersion: 0,
    sentQuery: null,
    searching: false,
    offersError: null,
    instances: null,
    instancesError: null,
    refreshingInstances: false,
    polledAt: 0,
    ledger: [],
    templates: null,
    templatesError: null,
    launches: [],

    async loadAccount() {
      const [account, secrets, importable] = await Promise.allSettled([
        api['vast:account']({}),
        api['secrets:status']({}),
        api['vast:importableKey']({}),
      ]);
      set({
        account: account.status === 'fulfilled' ? account.value : get().account,
        accountError: account.status === 'rejected' ? asAppError(account.reason).message : null,
        secrets: secrets.status === 'fulfilled' ? secrets.value : get().secrets,
        importable: importable.status === 'fulfilled' ? importable.value : null,
      });
    },
    async setKey(apiKey) {
      await api['vast:setKey']({ apiKey });
      await afterKeyChange();
    },
    async importKey() {
      await api['vast:importKey']({});
      await afterKeyChange();
    },
    async forgetKey() {
      await api['vast:forgetKey']({});
      await afterKeyChange();
    },
    async acceptPlaintext(accept) {
      set({ secrets: await api['secrets:acceptPlaintext']({ accept }) });
    },

    async search(filters, templatePath) {
      set({ searching: true, offersError: null });
      try {
        const r = await api['vast:offers']({ filters, templatePath: templatePath || undefined });
        set({ offers: r.offers, sentQuery: r.query, offersVersion: get().offersVersion + 1 });
      } catch (err) {
        set({ offersError: asAppError(err).message });
      } finally {
        set({ searching: false });
      }
    },

    refreshInstances() {
      inFlight ??= (async () => {
        set({ refreshingInstances: true });
        try {
          const [instances, ledger] = await Promise.all([
            api['vast:instances']({}),
            api['vast:ledger']({ includeDestroyed: false }),
          ]);
          set({ instances, ledger, instancesError: null, polledAt: Date.now() });
        } catch (err) {
          set({ instancesError: asAppError(err).message });
        } finally {
          set({ refreshingInstances: false });
          inFlight = null;
        }
      })();
      return inFlight;
    },
    upsertInstance(instance) {
      const list = get().instances ?? [];
      const exists = list.some((i) => i.id === instance.id);
      set({
        instances: exists ? list.map((i) => (i.id === instance.id ? instance : i)) : [...list, instance],
      });
    },
    async instanceAction(id, action) {
      try {
        await api[`vast:${action}`]({ id });
      } finally {
        void get().refreshInstances();
      }
    },
    async destroy(id, confirm) {
      await api['vast:destroy']({ id, confirm });
      // Gone for the user at once; the next list confirms it.
      set({ instances: (get().instances ?? []).filter((i) => i.id !== id) });
      void get().refreshInstances();
    },
    async relabel(id, label) {
      await api['vast:label']({ id, label });
      set({ instances: (get().instances ?? []).map((i) => (i.id === id ? { ...i, label } : i)) });
      void get().refreshInstances();
    },

    async loadTemplates() {
      try {
        set({ templates: await api['vast:templates']({}), templatesError: null });
      } catch (err) {
        set({ templatesError: asAppError(err).message });
      }
    },
    async publishTemplate(templatePath) {
      const r = await api['vast:publishTemplate']({ templatePath });
      await get().loadTemplates();
      return r;
    },
    async deleteTemplate(id) {
      await api['vast:deleteTemplate']({ id });
      set({ templates: (get().templates ?? []).filter((t) => t.id !== id) });
      void get().loadTemplates();
    },

    async launch(input) {
      const { opId } = await api['vast:launch'](input);
      set({
        launches: [
          ...get().launches,
          { opId, offerId: input.offerId, title: `Launch on offer ${input.offerId}` },
        ],
      });
      return opId;
    },
    dismissLaunch(opId) {
      set({ launches: get().launches.filter((l) => l.opId !== opId) });
    },
  };
});

/** Polls the instance list while a view is open; returns the function that stops it. */
export function pollInstances(): () => void {
  void useVastStore.getState().refreshInstances();
  const timer = setInterval(() => {
    // A hidden window does not need fresh cards; the next visible tick catches up.
    if (!document.hidden) void useVastStore.getState().refreshInstances();
  }, INSTANCE_POLL_MS);
  return () => clearInterval(timer);
}
