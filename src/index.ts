/** Entry point of the built package: runs the pipeline and sets the exit status, nothing else. */
import { main } from './main.js';

process.exitCode = await main({
  argv: process.argv.slice(2),
  cwd: process.cwd(),
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
