// Under a time field, when the phone is set to another time zone than the partnership's:
// the time to enter is the partnership's (e.g. "London time").
import { phoneInAnotherZone } from '../time.js';

export function zonePlace(zone) {
  return zone.split('/').pop().replaceAll('_', ' ');
}

export function ZoneHint({ zone }) {
  if (!phoneInAnotherZone(zone)) return null;
  return (
    <span class="field-hint">
      Enter {zonePlace(zone)} time, the partnership’s: this phone is set to another time zone.
    </span>
  );
}
