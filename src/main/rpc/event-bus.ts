import { events, type EventEnvelope, type EventName, type EventPayload } from '../../shared/contract';

export type EventListener = (envelope: EventEnvelope) => void;

/**
 * Main's outgoing events. Shells subscribe and forward to their windows or sockets. Payloads are
 * checked against the contract in development and tests so a wrong shape fails loudly there.
 */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly validate = process.env.NODE_ENV !== 'production') {}

  emit<K extends EventName>(name: K, payload: EventPayload<K>): void {
    if (this.validate) events[name].payload.parse(payload);
    const envelope = { name, payload } as EventEnvelope;
    for (const listener of this.listeners) {
      try {
        listener(envelope);
      } catch (err) {
        // One broken consumer must not stop the others.
        console.error(`event listener failed for ${name}:`, err);
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
