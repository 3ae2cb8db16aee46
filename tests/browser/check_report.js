/* check_report.js — open HTML reports in Debian's chromium (headless, via
 * playwright-core, no browser download) and print what happened as JSON; the
 * Python side (test_browser.py, tests/bench/run.py) decides what is right.
 *
 *   node check_report.js SPEC.json
 *   SPEC = {"pages": [{"file": "/abs/report.html", "interact": true,
 *                      "screenshot": "/abs/out.png" | null}], "chromium": "/usr/bin/chromium"}
 *
 * Per page: console messages, page errors, dialogs, requests other than the
 * page itself, time to first contentful paint and to the script being done,
 * the marks per class, gaps, stalls, zero windows and timeouts in the graph,
 * the rows each table drew (and the first frames of the segment table), the bytes view as text, window.tftPwned (what the
 * injection capture would set); with interact: the visible time range before
 * and after a wheel zoom, and the frame of the mark under the mouse, its
 * tooltip, and the row highlighted once it is clicked.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

/* Without the background-networking switches, a closed network floods Chromium
 * with retries; the sandbox does not run as root. */
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions'];
const VIEWPORT = { width: 1280, height: 1000 };

async function inspect(context, spec) {
  const page = await context.newPage();
  const seen = { console: [], errors: [], dialogs: [], requests: [] };
  const url = 'file://' + spec.file;
  page.on('console', (m) => seen.console.push({ type: m.type(), text: m.text() }));
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  page.on('dialog', (d) => { seen.dialogs.push(d.message()); d.dismiss(); });
  page.on('request', (r) => { if (r.url() !== url) seen.requests.push(r.url()); });
  const started = Date.now();
  await page.goto(url, { waitUntil: 'load', timeout: 120000 });
  const ready = await page.waitForSelector('html[data-ready]', { timeout: 120000 }).then(() => true, () => false);
  const out = Object.assign(seen, { file: spec.file, ready, ready_ms: Date.now() - started });
  out.first_paint_ms = await page.evaluate(() => {
    const e = performance.getEntriesByName('first-contentful-paint')[0];
    return e ? e.startTime : null;
  });
  Object.assign(out, await page.evaluate(() => {
    const marks = {};
    for (const e of document.querySelectorAll('.graph-box svg g.panel [data-frame]')) {
      const cls = Array.from(e.classList).filter((c) => c.startsWith('seg-')).map((c) => c.slice(4));
      for (const c of cls) (marks[c] = marks[c] || []).push(Number(e.dataset.frame));
    }
    const count = (sel) => document.querySelectorAll(sel).length;
    const rows = Array.from(document.querySelectorAll('.vtable[data-table="segments"] .vrow'));
    const bytes = {};
    for (const pre of document.querySelectorAll('.follow pre')) {
      const d = pre.classList.contains('c0') ? 0 : 1;
      bytes[d] = (bytes[d] || '') + pre.textContent;
    }
    return {
      marks, gaps: count('.graph-box svg g.plot .gap'), stalls: count('.graph-box svg g.plot .stall'),
      zero_windows: count('.graph-box svg g.plot .zero-window'), timeouts: count('.graph-box svg g.plot .timeout'),
      table_rows: Object.fromEntries(Array.from(document.querySelectorAll('.vtable')).map(
        (t) => [t.dataset.table, t.querySelectorAll('.vrow').length])),
      segment_rows: rows.map((r) => Number(r.firstChild.textContent)).slice(0, 5),
      bytes, gap_blocks: count('.follow .gap'), pwned: typeof window.tftPwned === 'undefined' ? null : window.tftPwned,
    };
  }));
  if (spec.interact) Object.assign(out, await interact(page));
  if (spec.screenshot) { /* the page down to the end of the graph */
    const bottom = await page.$eval('#graph', (g) => g.getBoundingClientRect().bottom + window.scrollY);
    await page.screenshot({ path: spec.screenshot, fullPage: true,
      clip: { x: 0, y: 0, width: VIEWPORT.width, height: Math.ceil(bottom) + 8 } });
  }
  await page.close();
  return out;
}

async function visibleRange(page) {
  return page.$eval('.graph-box svg', (s) => [Number(s.dataset.viewT0), Number(s.dataset.viewT1)]);
}

async function interact(page) {
  const out = {};
  /* a wheel over the middle of the first panel */
  const frame = await page.locator('.graph-box svg g.panel rect.frame').first();
  await frame.scrollIntoViewIfNeeded();
  const box = await frame.boundingBox();
  out.view_before = await visibleRange(page);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 5; i++) {
    await page.mouse.wheel(0, -240);
    await page.waitForTimeout(50);
  }
  await page.waitForTimeout(200);
  out.view_after = await visibleRange(page);
  await page.click('#zoom-reset');
  out.view_reset = await visibleRange(page);
  /* a mouse click on the first mark: the element under the pointer is what was clicked */
  const mark = page.locator('.graph-box svg g.panel [data-frame]').first();
  if (await mark.count()) {
    await mark.scrollIntoViewIfNeeded();
    const b = await mark.boundingBox();
    const x = b.x + b.width / 2, y = b.y + b.height / 2;
    out.clicked_frame = await page.evaluate(([px, py]) => {
      const e = document.elementFromPoint(px, py);
      const m = e && e.closest('[data-frame]');
      return m ? Number(m.dataset.frame) : null;
    }, [x, y]);
    await page.mouse.move(x, y);
    await page.waitForTimeout(100);
    out.tooltip = await page.$eval('#tip', (t) => (t.hidden ? null : t.textContent));
    await page.mouse.click(x, y);
    await page.waitForTimeout(200);
    out.selected_frame = await page.evaluate(() => {
      const row = document.querySelector('.vtable[data-table="segments"] .vrow.selected');
      return row ? Number(row.firstChild.textContent) : null;
    });
  }
  return out;
}

async function main() {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tft-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: spec.chromium || '/usr/bin/chromium', headless: true, args: ARGS, viewport: VIEWPORT,
  });
  const results = [];
  try {
    for (const p of spec.pages) results.push(await inspect(context, p));
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(results) + '\n');
}

main().catch((e) => { console.error(e); process.exit(1); });
