/**
 * Stopping a batch (a `Flight`) wherever it is: waiting in tinypool's queue (it goes empty), posted to
 * a worker's slot, or on a side lane (`side-lane.ts`). Only the flight and its holders are read, never
 * tinypool: the adapter (`tinypool.ts`) answers the dispatcher's cancels and aborts with these.
 */
import type { Flight } from './outcome.js';
import type { Slot } from './slot.js';

/** Takes back up to `count` jobs of `flight` its worker has not started; the first index, or -1. */
export function takeBackJobs(flight: Flight, count: number): number {
  return flight.slot?.progressOf(flight)?.takeBack(count) ?? -1;
}

/**
 * Runs nothing more of `flight`: a worker stops its map chunk at the next item. One that no worker
 * has got yet (in tinypool's queue) goes empty, as `SideLanes.divert` sends one: true then, and
 * what its jobs carry (a queue's or pipe end's port for a thread) is never transferred.
 */
export function cancelFlight(flight: Flight): boolean {
  flight.cancelled = true;
  if (flight.lane) flight.lane.cancel(flight);
  else if (flight.slot) flight.slot.cancel(flight);
  else if (!flight.diverted) {
    (flight.batch as { jobs: unknown[] }).jobs = [];
    flight.transfer.length = 0;
    return true;
  }
  return false;
}

/** Whether a worker runs `flight` now: posted to it and not answered, or started on its side lane. */
export function isFlightRunning(flight: Flight): boolean {
  if (flight.lane) return flight.lane.isRunning(flight);
  const state = flight.slot?.state;
  return state?.name === 'busy' && state.flight === flight;
}

/**
 * Aborts `flight`'s call: a job started stops with its worker (`Slot.abort`, which calls `evict`
 * with the slot once the worker must go), else see {@link cancelFlight}. True: it went empty.
 */
export function abortFlight(flight: Flight, evict: (slot: Slot) => void): boolean {
  const { slot, lane } = flight;
  lane?.cancel(flight); // stored before SIDE_RUNNING is read: a side chunk starting after runs no item
  if (!slot || !isFlightRunning(flight)) return lane ? false : cancelFlight(flight);
  flight.cancelled = true;
  slot.abort(flight, () => evict(slot));
  return false;
}
