/**
 * What a timeout's error adds when the timeout looks like Python's seconds: `r.get(timeout=1)` or
 * `q.get(timeout=0.5)` ported as `r.get(1)`, `q.get({ timeout: 0.5 })` waits 1 ms or 0.5 ms here.
 * Python's timeouts are mostly 0.1 to 60 s; ms meant as ms are seldom that small, and a sentence
 * more costs nothing when they are.
 */
const MOST_SECONDS = 60;

export function secondsHint(ms: number): string {
  if (!(ms > 0 && ms <= MOST_SECONDS)) return '';
  return ` Timeouts are in milliseconds here: if ${ms} was meant as seconds, as Python's timeout=${ms}, give ${ms * 1000}.`;
}
