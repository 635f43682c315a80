import { useMemo } from 'react';
import { api } from '../../api';
import { ProgramsPanel, type ProgramsSource } from '../runs/SupervisorPanel';
import './instances.css';

/** The instance-inspect calls (supervisorctl over SSH) as a programs view's data source. */
export function instanceProgramsSource(instanceId: number): ProgramsSource {
  return {
    key: `instance:${instanceId}`,
    watch: () => api['instances:watchSupervisor']({ instanceId, intervalMs: 3000 }),
    portalApps: () => api['instances:portalApps']({ instanceId }),
    control: (program, action) => api['instances:programControl']({ instanceId, program, action }),
    followLog: (program, lines) => api['instances:programLogFollow']({ instanceId, program, lines }),
  };
}

/**
 * The supervisor programs of a running Vast instance, read over SSH with the app's key: the same
 * view as a local run's (states, skipped programs, start/stop/restart, live logs, portal apps).
 * Mount it only while the instance runs; before that there is no SSH endpoint to read from.
 */
export function InstancePrograms({ instanceId }: { instanceId: number }) {
  const source = useMemo(() => instanceProgramsSource(instanceId), [instanceId]);
  return (
    <section className="instance-programs" aria-label={`Programs of instance ${instanceId}`}>
      <ProgramsPanel key={source.key} source={source} />
    </section>
  );
}
