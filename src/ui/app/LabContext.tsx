// The store and the commands, handed to components through context; components read the store
// with narrow selectors only (STYLE rule 16).

import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { LabCommands } from '../store/bridge.ts';
import type { LabState } from '../store/slices.ts';
import type { LabStore } from '../store/store.ts';

export interface Lab {
  readonly store: LabStore;
  readonly commands: LabCommands;
}

export const LabContext = createContext<Lab | null>(null);

function useLabContext(): Lab {
  const lab = useContext(LabContext);
  if (!lab) throw new Error('LabContext missing');
  return lab;
}

/** A narrow slice of the store. */
export function useLab<T>(selector: (s: LabState) => T): T {
  return useStore(useLabContext().store, selector);
}

/** The commands (worker bridge). */
export function useCommands(): LabCommands {
  return useLabContext().commands;
}

/** The store itself, for actions' `enabled(state)`. */
export function useLabStore(): LabStore {
  return useLabContext().store;
}
