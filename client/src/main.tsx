import { render } from 'solid-js/web';
import { App } from './App';
import { bootSession } from './auth/session';
import { applyTheme } from './layout/theme';
import './styles.css';

applyTheme();
bootSession();
render(() => <App />, document.getElementById('root')!);
