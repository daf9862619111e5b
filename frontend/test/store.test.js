import { describe, expect, it, vi } from 'vitest';
import { bump, createStore } from '../src/store.js';

describe('createStore', () => {
  it('keeps its value and tells every subscriber when it is set', () => {
    const store = createStore({ status: 'loading' });
    const first = vi.fn();
    const second = vi.fn();
    store.subscribe(first);
    store.subscribe(second);
    store.set({ status: 'signed-in' });
    expect(store.get()).toEqual({ status: 'signed-in' });
    expect(first).toHaveBeenCalledWith({ status: 'signed-in' });
    expect(second).toHaveBeenCalledTimes(1);
  });

  it('stops telling a subscriber that unsubscribed', () => {
    const store = createStore(0);
    const listener = vi.fn();
    const stop = store.subscribe(listener);
    stop();
    store.set(1);
    expect(listener).not.toHaveBeenCalled();
  });

  it('tells the others when one unsubscribes while being told', () => {
    const store = createStore(0);
    const later = vi.fn();
    const stop = store.subscribe(() => stop());
    store.subscribe(later);
    store.set(1);
    expect(later).toHaveBeenCalledWith(1);
  });
});

describe('bump', () => {
  it('counts a change and tells the subscribers', () => {
    const store = createStore(0);
    const listener = vi.fn();
    store.subscribe(listener);
    bump(store);
    bump(store);
    expect(store.get()).toBe(2);
    expect(listener).toHaveBeenLastCalledWith(2);
  });
});
