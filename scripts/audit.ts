/** `npm audit --omit=dev`: fails on a high or critical advisory; reports (not fails) an unreachable endpoint. */
import { spawnSync } from 'node:child_process';

const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8' });
let report: { metadata?: { vulnerabilities?: Record<string, number> }; error?: { summary?: string } };
try {
  report = JSON.parse(run.stdout || '{}');
} catch {
  report = {};
}
const v = report.metadata?.vulnerabilities;
if (!v) {
  console.log(`npm audit: no report (${report.error?.summary ?? (run.stderr.trim().split('\n').pop() || 'endpoint unreachable')}); skipped`);
  process.exit(0);
}
const serious = (v.high ?? 0) + (v.critical ?? 0);
console.log(`npm audit --omit=dev: ${JSON.stringify(v)}`);
process.exit(serious > 0 ? 1 : 0);
