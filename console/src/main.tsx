import { render } from 'preact';
import { App } from './app';
import { finishCognitoSignIn, useCognitoResult } from './auth-cognito';
import { loadConfig } from './config';
import { signIn } from './session';
import './styles.css';

const root = document.getElementById('app')!;
loadConfig()
  // back from the Cognito hosted UI: exchange the code before the app decides who is signed in
  .then((config) => (config.cognito ? finishCognitoSignIn(config.cognito).then((r) => useCognitoResult(r, signIn)) : undefined))
  .then(
    () => render(<App />, root),
    (err: Error) => {
      root.textContent = `The console could not start: ${err.message}`;
    },
  );
