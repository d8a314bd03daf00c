/** The piscina worker entry: simulates one unit and moves its `rowBusy` buffers back. */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { simulateUnit } from '../units.ts';
import { type PoolTask, type PoolTaskResult, unitResultTransferables } from './protocol.ts';

export default function runUnit(unit: PoolTask): PoolTaskResult {
  const result = simulateUnit(unit);
  // Piscina posts a moved value's `valueSymbol` with its `transferableSymbol` list as transfer list.
  const moved = move({ [transferableSymbol]: unitResultTransferables(result), [valueSymbol]: result });
  return moved as unknown as PoolTaskResult;
}
