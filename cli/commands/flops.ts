import type { Command } from 'commander';
import { summarizeFlops } from '../../models/flop-summary.ts';
import { loadModel } from '../../models/load-model.ts';
import { sparsitySpec } from '../../models/sparsity.ts';
import { formatPercent, formatRatio, formatSi, formatTable } from '../format.ts';
import type { Io } from '../io.ts';
import { parsePositiveIntOption, parsePositiveNumberOption, parseSparsityOption } from '../options.ts';

interface FlopsOptions {
  model: string;
  sparsity?: string;
  seqLen?: string;
  tokens?: string;
  json?: boolean;
}

export function registerFlops(program: Command, io: Io): void {
  program
    .command('flops')
    .description(
      "Training FLOPs of a model at a sparsity level, with the papers' conventions (docs/design.md §3)",
    )
    .requiredOption(
      '--model <preset|file>',
      'a model preset (see `wafersim presets`) or a ModelConfig JSON file',
    )
    .option('--sparsity <S>', 'fraction of zero weights in the sparse matrices, in [0, 1)', '0')
    .option('--seq-len <N>', "context length (tokens per sequence); defaults to the model's")
    .option('--tokens <T>', 'token budget for totals, e.g. 26e9 or 26B')
    .option('--json', 'print only JSON')
    .action((options: FlopsOptions) => {
      const base = loadModel(options.model, { path: '--model' });
      const seqLen =
        options.seqLen === undefined ? base.seqLen : parsePositiveIntOption('--seq-len', options.seqLen);
      const model = { ...base, seqLen };
      const level = parseSparsityOption('--sparsity', options.sparsity ?? '0');
      const tokens =
        options.tokens === undefined
          ? undefined
          : parsePositiveNumberOption('--tokens', options.tokens, true);
      const summary = summarizeFlops(model, sparsitySpec(level), tokens === undefined ? {} : { tokens });
      if (options.json) {
        io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
        return;
      }
      const s = summary;
      const rows = [
        [
          'sparse linear',
          formatSi(s.breakdown.sparseLinear, 'FLOP'),
          formatSi(s.dense.breakdown.sparseLinear, 'FLOP'),
        ],
        ['attention', formatSi(s.breakdown.attention, 'FLOP'), formatSi(s.dense.breakdown.attention, 'FLOP')],
        ['LM head', formatSi(s.breakdown.lmHead, 'FLOP'), formatSi(s.dense.breakdown.lmHead, 'FLOP')],
        [
          'training / sequence',
          formatSi(s.perSequence.training, 'FLOP'),
          formatSi(s.dense.perSequence.training, 'FLOP'),
        ],
        [
          'training / token',
          formatSi(s.perToken.training, 'FLOP'),
          formatSi(s.dense.perToken.training, 'FLOP'),
        ],
      ];
      if (s.total) {
        rows.push([
          `training, ${formatSi(s.total.tokens)} tokens`,
          formatSi(s.total.training, 'FLOP'),
          formatSi(s.total.denseTraining, 'FLOP'),
        ]);
      }
      io.stdout(
        `${s.model} at ${formatPercent(s.sparsity, 0)} sparsity, context ${s.seqLen}\n\n` +
          `${formatTable(['', 'effective', 'dense'], rows)}\n\n` +
          `FLOP reduction: ${formatRatio(s.reduction)} (dense / effective training FLOPs)\n`,
      );
    });
}
