import { render } from 'preact';
import { App } from './app.jsx';
import { interceptLinks } from './router.js';
import { loadSession } from './session.js';
import './offline/setup.js';
import { registerServiceWorker } from './updates.js';
import './styles.css';

interceptLinks();
registerServiceWorker();
loadSession();
render(<App />, document.getElementById('app'));
