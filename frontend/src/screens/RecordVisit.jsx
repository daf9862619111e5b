// Record a visit: the screen practitioners use in the home. Its form (with the draft kept
// on the phone and the outbox that sends it when there is signal) is built in
// src/visit/; until then this screen shows only its heading.
import { ScreenTitle } from '../components/common.jsx';

export function RecordVisit() {
  return <ScreenTitle>Record a visit</ScreenTitle>;
}
