import type { StoreApi, UseBoundStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';

/**
 * Several fields of one store in one subscription, for a component that reads many of them. It
 * re-renders only when one of these fields changes (each compared with `Object.is`), exactly as
 * with one selector per field.
 */
export function useFields<S extends object, K extends keyof S>(
  useStore: UseBoundStore<StoreApi<S>>,
  keys: readonly K[],
): Pick<S, K> {
  return useStore(
    useShallow((state: S) => {
      const fields = {} as Pick<S, K>;
      for (const key of keys) fields[key] = state[key];
      return fields;
    }),
  );
}
