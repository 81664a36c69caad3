import { loadConfig } from './config';
import { startJeco } from './server';

/** `npm start`: reads JECO_* variables, serves until SIGINT/SIGTERM, then closes cleanly. */
const server = await startJeco(loadConfig());

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
