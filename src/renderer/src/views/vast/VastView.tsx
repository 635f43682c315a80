import { useEffect, useState } from 'react';
import { AccountStrip } from './AccountStrip';
import { CleanupPanel } from './CleanupPanel';
import { InstancesPanel } from './InstancesPanel';
import { LaunchDialog } from './LaunchDialog';
import { OffersPanel } from './OffersPanel';
import { VastTemplatesPanel } from './VastTemplatesPanel';
import { pollInstances, useVastStore, type OfferRowData, type VastTab } from './vast-store';
import './vast.css';

export function VastView() {
  const { tab, setTab, instances, ledger, loadAccount } = useVastStore();
  const [launching, setLaunching] = useState<OfferRowData | null>(null);

  useEffect(() => {
    void loadAccount();
    return pollInstances();
  }, [loadAccount]);

  const byId = new Set((instances ?? []).map((i) => i.id));
  const leftByApp = ledger.filter((e) => e.destroyedAt === null && byId.has(e.instanceId)).length;
  const tabs: { id: VastTab; label: string }[] = [
    { id: 'offers', label: 'Offers' },
    { id: 'instances', label: instances ? `Instances (${instances.length})` : 'Instances' },
    { id: 'cleanup', label: leftByApp ? `Cleanup (${leftByApp})` : 'Cleanup' },
    { id: 'templates', label: 'Templates on Vast' },
  ];

  return (
    <section className="view vast-view" aria-labelledby="vast-title">
      <header className="view-header">
        <h1 id="vast-title">Vast</h1>
      </header>
      <AccountStrip />
      <div className="tabs" role="tablist" aria-label="Vast sections">
        {tabs.map((t) => (
          <div key={t.id} className={t.id === tab ? 'tab active' : 'tab'}>
            <button
              type="button"
              role="tab"
              id={`vast-tab-${t.id}`}
              aria-selected={t.id === tab}
              aria-controls="vast-tabpanel"
              onClick={() => setTab(t.id)}
            >
              {t.label}
            </button>
          </div>
        ))}
      </div>
      <div id="vast-tabpanel" role="tabpanel" aria-labelledby={`vast-tab-${tab}`}>
        {tab === 'offers' ? (
          <OffersPanel onLaunch={setLaunching} />
        ) : tab === 'instances' ? (
          <InstancesPanel onSearch={() => setTab('offers')} />
        ) : tab === 'cleanup' ? (
          <CleanupPanel />
        ) : (
          <VastTemplatesPanel />
        )}
      </div>
      {launching ? (
        <LaunchDialog
          offer={launching}
          onClose={() => setLaunching(null)}
          onShowInstances={() => {
            setLaunching(null);
            setTab('instances');
          }}
        />
      ) : null}
    </section>
  );
}
