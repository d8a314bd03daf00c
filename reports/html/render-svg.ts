/**
 * A vega-lite spec → an SVG string, in Node (DESIGN §8: charts rendered to SVG, no network needed
 * to view them). vega-lite compiles the spec to vega; a headless vega View renders it with the SVG
 * string renderer, which estimates text widths without a canvas. Deterministic: the output depends
 * only on the spec and the id prefix (no clock; element ids renumbered per chart). Data is inline; the loader refuses every request, so
 * rendering never touches the network or the file system.
 */
import { type Loader, type LoggerInterface, parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface RenderOptions {
  /** Receives vega-lite's and vega's warnings (a chart still renders); by default they are dropped. */
  readonly onWarning?: (message: string) => void;
  /** Prefix of the SVG's element ids (gradients, clip paths): unique per chart on one page. */
  readonly idPrefix?: string;
}

const refuse = (what: string) => () =>
  Promise.reject(new Error(`report charts load nothing: ${what} refused (inline the data in the spec)`));

/** Every chart's data is inline: anything that asks to load a file or URL is a bug. */
const NO_LOADS: Loader = {
  load: refuse('load'),
  sanitize: refuse('sanitize'),
  http: refuse('http'),
  file: refuse('file'),
};

/** A vega logger that hands warnings to the caller and keeps everything else quiet. */
function quietLogger(onWarning: (message: string) => void): LoggerInterface {
  let level = 2; // vega-util's Warn
  const logger: LoggerInterface = {
    level(next?: number) {
      if (next === undefined) return level;
      level = next;
      return logger;
    },
    error(...args: unknown[]) {
      onWarning(`error: ${args.map(String).join(' ')}`);
      return logger;
    },
    warn(...args: unknown[]) {
      onWarning(args.map(String).join(' '));
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

/**
 * vega numbers gradients and clip paths from process-wide counters, so the same chart would get
 * other ids on a second render: renumber them in order of appearance under the chart's prefix.
 */
function renumberIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) {
    if (!ids.has(m[1]!)) ids.set(m[1]!, `${prefix}-${ids.size + 1}`);
  }
  return svg.replace(/(\sid="|url\(#|href="#)([^")]+)/g, (whole, lead: string, id: string) => {
    const renamed = ids.get(id);
    return renamed === undefined ? whole : `${lead}${renamed}`;
  });
}

export async function renderVegaLiteSvg(spec: TopLevelSpec, options: RenderOptions = {}): Promise<string> {
  const logger = quietLogger(options.onWarning ?? (() => {}));
  const vegaSpec = compile(spec, { logger }).spec;
  const view = new View(parse(vegaSpec), { renderer: 'none', loader: NO_LOADS, logger });
  try {
    return renumberIds(await view.toSVG(), options.idPrefix ?? 'chart');
  } finally {
    view.finalize();
  }
}
