import 'dotenv/config';
import { loadConfig } from '../config/app-config';
import { migrateDatabase } from './migrate';

/** `npm run migrate`: applies pending migrations and exits. */
migrateDatabase(loadConfig())
  .then((applied) => {
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date');
    process.exit(0);
  })
  .catch((error: Error) => {
    console.error(`Migration failed: ${error.message}`);
    process.exit(1);
  });
