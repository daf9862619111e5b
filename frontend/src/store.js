// The one pattern for state shared between modules and screens: a store holds a value and
// tells its subscribers when it is set; `useStore` re-renders a component with it. A store
// of a number counts changes, for news without a value ("the outbox changed"): `bump` it.
import { useEffect, useState } from 'preact/hooks';

/** A store starting at `initial`: get(), set(value), subscribe(fn) → unsubscribe. */
export function createStore(initial) {
  let value = initial;
  const listeners = new Set();
  return {
    get: () => value,
    set(next) {
      value = next;
      [...listeners].forEach((listener) => listener(value));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

/** Says that what a counting store stands for has changed. */
export function bump(store) {
  store.set(store.get() + 1);
}

/** The store's value; re-renders the caller when it is set. */
export function useStore(store) {
  const [value, setValue] = useState(() => store.get());
  useEffect(() => {
    setValue(() => store.get()); // anything set between the first render and now
    return store.subscribe((next) => setValue(() => next));
  }, [store]);
  return value;
}
