import { create } from 'zustand';

/** A place in the app the user was sent to (by a notification): a view, a thing in it, an element. */
export interface FocusIntent {
  view: string;
  id?: string;
  anchor?: string;
}

interface FocusState {
  intent: FocusIntent | null;
  /** Set by navigation; the view that can show the place reads it and clears it. Returns the stored intent. */
  request(intent: FocusIntent): FocusIntent;
  /** Clears the intent if it is still this one (a newer click wins). */
  done(intent: FocusIntent): void;
}

/**
 * What a view must select or open so that a notification's anchor exists: the hash route picks
 * the view, but the element (a run's program log, say) is only rendered once the view has
 * selected the run and opened that log. Views subscribe and act on intents addressed to them.
 */
export const useFocusStore = create<FocusState>((set, get) => ({
  intent: null,
  request: (intent) => {
    const stored = { ...intent };
    set({ intent: stored });
    return stored;
  },
  done: (intent) => {
    if (get().intent === intent) set({ intent: null });
  },
}));
