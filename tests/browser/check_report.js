// check_report.js - renders a report.html in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core), with every request that is
// not file: blocked, and checks: no console errors or failed loads, every
// chart present and non-empty with its series, the key figures on the page
// equal summary.csv (run) or compare.csv (compare), and takes screenshots.
//   node tests/browser/check_report.js REPORT_DIR RESULTS_DIR SHOT_PREFIX [variants...]
// Prints one PASS/FAIL line per check and "N passed, N failed".
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const [reportDir, resultsDir, shotPrefix, ...variants] = process.argv.slice(2);
let pass = 0, fail = 0;
const check = (ok, desc) => { ok ? pass++ : fail++; console.log(`${ok ? 'PASS' : 'FAIL'} ${desc}`); };

// Minimal CSV reader (quoted fields, no embedded newlines in these files).
function csv(file) {
  const rows = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const f = []; let cur = '', q = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (q) { if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') q = false; else cur += c; }
      else if (c === '"') q = true; else if (c === ',') { f.push(cur); cur = ''; } else cur += c;
    }
    f.push(cur); rows.push(f);
  }
  const head = rows.shift();
  return rows.map(r => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

(async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
                                          args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
  const errors = [], blocked = [];
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', err => errors.push(String(err)));
  page.on('requestfailed', r => { if (!r.url().startsWith('file:')) return; errors.push('failed ' + r.url()); });
  await page.route('**/*', route => {
    if (route.request().url().startsWith('file:')) return route.continue();
    blocked.push(route.request().url());
    return route.abort();
  });
  const url = 'file://' + path.resolve(reportDir, 'report.html');
  await page.goto(url, { waitUntil: 'load' });
  check(errors.length === 0, `no console errors (${errors.slice(0, 3).join('; ')})`);
  check(blocked.length === 0, `no network requests (${blocked.slice(0, 3).join(' ')})`);

  const charts = await page.$$eval('figure.chart', fs_ => fs_.map(f => {
    const svg = f.querySelector('svg'); const b = svg ? svg.getBoundingClientRect() : null;
    return { id: f.id, series: +f.dataset.series, w: b ? b.width : 0, h: b ? b.height : 0,
             drawn: svg ? svg.querySelectorAll('path, polygon, rect, circle, use').length : 0,
             plots: svg ? svg.querySelectorAll('g[id*="gnuplot_plot_"]').length : 0,
             caption: (f.querySelector('figcaption') || {}).textContent || '' };
  }));
  const data = JSON.parse(await page.$eval('#report-data', s => s.textContent));
  check(charts.length > 0 && charts.length === data.charts.length,
        `${charts.length} charts on the page, ${data.charts.length} in the JSON block`);
  for (const c of charts)
    check(c.w > 300 && c.h > 150 && c.drawn > 20 && c.plots === c.series && c.series > 0 &&
          c.caption.length > 80,
          `chart ${c.id}: ${Math.round(c.w)}x${Math.round(c.h)} px, ${c.plots} series, ${c.drawn} shapes, captioned`);

  // Key figures against the result files.
  const cells = await page.$$eval('#key-figures td[data-metric]', tds => tds.map(td => (
    { metric: td.dataset.metric, variant: +td.dataset.variant, value: td.dataset.value, text: td.textContent })));
  check(cells.length >= 5, `${cells.length} key-figure cells`);
  let bad = [];
  if (variants.length === 0) {
    const sum = csv(path.join(resultsDir, 'summary.csv'));
    for (const c of cells) {
      const [sec, met] = c.metric.includes('.') ? c.metric.split('.') : ['all', c.metric];
      const row = sum.find(r => r.section === sec && r.metric === met && r.key === '');
      if (!row || row.mean !== c.value) bad.push(`${c.metric}: page ${c.value}, summary.csv ${row && row.mean}`);
      const shown = parseFloat(c.text); const exp = parseFloat(row ? row.mean : 'NaN');
      if (row && row.mean !== '' && Math.abs(shown - exp * (/_share|_rate/.test(met) ? 100 : 1)) > 5e-4 * Math.max(1, Math.abs(shown)))
        bad.push(`${c.metric}: shown ${c.text}`);
    }
    check(bad.length === 0, `key figures equal summary.csv (${bad.slice(0, 3).join('; ')})`);
  } else {
    const cmp = csv(path.join(resultsDir, 'compare.csv'));
    for (const c of cells) {
      const row = cmp.find(r => r.metric === c.metric && r.variant === variants[c.variant]);
      const a = parseFloat(row ? row.mean : 'NaN'), b = parseFloat(c.value);
      if (!row || !(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a)))) bad.push(`${c.metric}/${c.variant}: page ${c.value}, compare.csv ${row && row.mean}`);
    }
    check(bad.length === 0, `key figures equal compare.csv for ${variants.length} variants (${bad.slice(0, 3).join('; ')})`);
    const listed = await page.$$eval('#variants li b', bs => bs.map(b => b.textContent));
    check(variants.every(v => listed.includes(v)), `every variant listed (${listed.join(', ')})`);
    const heads = await page.$eval('#key-figures tr', tr => tr.textContent);
    check(variants.every(v => heads.includes(v)), 'every variant has a key-figure column');
  }
  // Screenshots: the whole page, and the top at reading size.
  await page.screenshot({ path: shotPrefix + '-full.png', fullPage: true });
  await page.screenshot({ path: shotPrefix + '-top.png' });
  for (const c of charts.slice(0, 12)) {
    const el = await page.$('#' + c.id);
    await el.screenshot({ path: `${shotPrefix}-${c.id}.png` });
  }
  check(fs.statSync(shotPrefix + '-full.png').size > 10000, `screenshot ${shotPrefix}-full.png`);
  await browser.close();
  console.log(`${pass} passed, ${fail} failed`);
  process.exit(fail ? 1 : 0);
})().catch(err => { console.log(`FAIL browser run: ${err.message.split('\n')[0]}`); console.log(`${pass} passed, ${fail + 1} failed`); process.exit(1); });
