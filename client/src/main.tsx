import { render } from 'solid-js/web';
import { App } from './App';
import { bootSession } from './auth/session';
import './styles.css';

bootSession();
render(() => <App />, document.getElementById('root')!);
