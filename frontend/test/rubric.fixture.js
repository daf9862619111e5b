// A small rubric in the API's shape, for the unit tests.
export const rubric = {
  version: 3,
  scale: { lowest: 1, highest: 5, good_enough_max: 2, concern_min: 4 },
  domains: [
    { key: 'kitchen', name: 'Kitchen', levels: { 1: 'Clean', 2: 'Used', 3: 'Dirty', 4: 'Unsafe', 5: 'Dangerous' } },
    { key: 'sleeping', name: 'Sleeping', levels: { 1: 'Safe', 2: 'Fine', 3: 'Cluttered', 4: 'Unsafe', 5: 'None' } },
  ],
  rooms: [{ key: 'kitchen', label: 'Kitchen' }, { key: 'bedroom', label: 'Bedroom' }],
  concerns: [{ key: 'no_food', label: 'No food', description: 'No food in the home' }],
};
