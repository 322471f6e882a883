import { render } from 'preact';
import { App } from './app';
import { loadConfig } from './config';
import './styles.css';

const root = document.getElementById('app')!;
loadConfig().then(
  () => render(<App />, root),
  (err: Error) => {
    root.textContent = `The console could not start: ${err.message}`;
  },
);
