import { describe, expect, it, vi } from 'vitest';
import { Pool } from '../src/index.js';
describe('probe', () => {
  const pool = new Pool({ processes: 1, context: 'thread' });
  it('toBe', () => expect(pool).toBe(pool));
  it('toEqual', () => expect(pool).toEqual(pool));
  it('toStrictEqual', () => expect(pool).toStrictEqual(pool));
  it('toMatchObject', () => expect({ p: pool }).toMatchObject({ p: pool }));
  it('calledWith', () => { const f = vi.fn(); f(pool); expect(f).toHaveBeenCalledWith(pool); });
  it('not equal message', () => { try { expect(pool).toEqual({ a: 1 }); } catch (e) { expect(String(e)).toMatch(/Pool/); return; } throw new Error('no'); });
  it('toHaveProperty terminate', () => expect(pool).toHaveProperty('terminate'));
  it('spyOn', () => { const s = vi.spyOn(pool, 'stats'); pool.stats(); expect(s).toHaveBeenCalled(); s.mockRestore(); });
  it('end', async () => { await pool.terminate(); });
});
