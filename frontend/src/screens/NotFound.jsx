import { ScreenTitle } from '../components/common.jsx';

export function NotFound() {
  return (
    <>
      <ScreenTitle>Page not found</ScreenTitle>
      <p>There is nothing at this address.</p>
      <p><a href="/" class="button">Back to my families</a></p>
    </>
  );
}
