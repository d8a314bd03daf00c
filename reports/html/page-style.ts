/** The inline stylesheet of report.html: system fonts only, nothing to fetch. */
export const PAGE_CSS = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --rule: #d9dde5; --band: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 40px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--rule); }
p.lead, p.note, .meta { color: var(--muted); }
p.note { font-size: 13px; }
code { white-space: nowrap; font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--band);
  padding: 1px 4px; border-radius: 3px; }
table { border-collapse: collapse; margin: 12px 0; font-size: 13px; font-variant-numeric: tabular-nums; }
caption { text-align: left; color: var(--muted); padding-bottom: 6px; }
th, td { white-space: nowrap; padding: 5px 9px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
th { background: var(--band); font-weight: 600; }
th.num, td.num { text-align: right; }
th.group { white-space: normal; text-align: center; background: #fff; font-weight: 500; color: var(--muted); border-bottom: 1px solid #aab; }
th.group:empty { border-bottom: none; }
tr.total td { font-weight: 600; border-bottom: 2px solid var(--rule); }
.scroll { overflow-x: auto; }
figure { margin: 20px 0; padding: 12px 16px 10px; border: 1px solid var(--rule); border-radius: 6px; }
figure svg { display: block; max-width: 100%; height: auto; }
details.runs { margin: 12px 0; font-size: 14px; }
details.runs summary { cursor: pointer; }
details.runs p { margin: 4px 0 10px 18px; color: var(--muted); font-size: 13px; }
figcaption { margin-top: 6px; font-size: 13px; color: var(--muted); }
.grid { display: flex; flex-wrap: wrap; gap: 0 20px; }
.grid figure { flex: 1 1 480px; }
dl dt, dl dd { white-space: normal; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; font-size: 14px; }
dt { font-weight: 600; }
dd { margin: 0; }
.measured { font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; font-size: 12px;
  color: #8a4b00; background: #fff3e0; padding: 1px 6px; border-radius: 3px; }
footer { margin-top: 40px; font-size: 12px; color: var(--muted); }
`;
