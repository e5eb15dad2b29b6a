// @vitest-environment happy-dom
import { act, cleanup, renderHook } from '@testing-library/react';
import { afterEach, expect, it } from 'vitest';
import { create } from 'zustand';
import { useFields } from './use-fields';

afterEach(cleanup);

const useCounterStore = create<{ shown: number; other: number }>(() => ({ shown: 1, other: 1 }));

it('re-renders when a chosen field changes, and not for the others', () => {
  let renders = 0;
  const { result } = renderHook(() => {
    renders += 1;
    return useFields(useCounterStore, ['shown']);
  });
  expect(result.current).toEqual({ shown: 1 });

  act(() => useCounterStore.setState({ other: 2 }));
  expect(renders).toBe(1);

  act(() => useCounterStore.setState({ shown: 2 }));
  expect(result.current).toEqual({ shown: 2 });
  expect(renders).toBe(2);
});
