/**
 * A child process that holds a store open for writing, as a nightly run would: opens it with
 * openStore (so it writes the owner file), prints "ready", and closes it when its stdin ends.
 * Usage: node --import tsx test/helpers/hold-store.ts STORE "COMMAND NAME"
 */
import { openStore } from '../../src/store/open-store.js';
import { setStoreAccess } from '../../src/store/store-busy.js';

const [path, command] = process.argv.slice(2);
if (!path) throw new Error('usage: hold-store.ts STORE [COMMAND]');
setStoreAccess({ command: command ?? 'auditlake test holder' });
const store = await openStore({ path });
process.stdout.write('ready\n');
process.stdin.resume();
process.stdin.on('end', () => {
  store.close();
  process.exit(0);
});
