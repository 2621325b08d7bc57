/** Entry point of the built package: runs the pipeline and sets the exit status, nothing else. */
import { main } from './main.js';

// `create-cloudrun-app --list-templates | head -1` closes our stdout early. The reader has what it
// wanted, so that is not a failure worth a stack trace: stop quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await main({
  argv: process.argv.slice(2),
  cwd: process.cwd(),
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
