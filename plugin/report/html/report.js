/* report.js — the script of tcpfollowts' HTML report (fmt=html).
 *
 * The page is complete without it except for the tables: the graph, the
 * findings, the summary and the bytes are in the HTML. Once the page is
 * painted, this parses the data block (#tft-data) and
 *  - draws the turn, stall, loss and segment tables lazily (only the rows in
 *    view exist, so 500,000 segments cost what 30 do);
 *  - zooms the graph (wheel: time, every panel's seq axis fitted to what it
 *    draws in that time; shift+wheel: the seq axis of one panel) and pans it
 *    (drag), redraws its axes, and redraws the dense layers (in-order new
 *    data, ACK, window and turn lines) at the new resolution from the data,
 *    as the C renderer drew them at the first;
 *  - shows a tooltip per mark, and on a click on a mark, a bar, a frame in a
 *    table or a byte, scrolls the segment table to that segment and
 *    highlights it.
 * Nothing from the capture is ever parsed as markup: text goes in through
 * textContent only. The page's CSP allows this script by its hash and no
 * network at all.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
'use strict';

(function () {
  const ROW_H = 20;        /* px, as .vrow in report.css */
  const TABLE_ROWS = 20;   /* rows in view per table */
  const NS = 1e9;
  const TCP = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32, ECE: 64, CWR: 128, AE: 256 };
  const FLAG_LETTERS = [[TCP.SYN, 'S'], [TCP.FIN, 'F'], [TCP.RST, 'R'], [TCP.ACK, 'A'], [TCP.PSH, 'P'],
    [TCP.URG, 'U'], [TCP.ECE, 'E'], [TCP.CWR, 'C'], [TCP.AE, 'N']];
  const ARROW = ['\u2192', '\u2190'];
  const DIR_NAME = ['client \u2192 server', 'server \u2192 client'];
  const MAX_ZOOM = 1e6;
  const TURN_LINE_SPACING = 8, TURN_TICK = 8; /* px, as render_svg.c */

  /* ---- the data block --------------------------------------------------------- */

  /* Columns come as differences (per direction for seq, ack and window). */
  function decodeSegments(s) {
    const n = s.count;
    const seg = {
      n, frame: new Float64Array(n), t: new Float64Array(n), dir: new Uint8Array(n), seq: new Float64Array(n),
      len: new Float64Array(n), ack: new Float64Array(n), win: new Float64Array(n), flags: new Uint16Array(n),
      cls: new Uint8Array(n), diag: 'in_flight' in s, inFlight: new Float64Array(n), peerWin: new Float64Array(n),
      cut: sparse(s.cut, 1), differ: sparse(s.differ, 1), rtt: sparse(s.rtt || [], 1),
      episode: sparse(s.episode || [], 2),
    };
    /* a delta column per direction; null: no value (the previous one stays) */
    function column(name, out) {
      const col = s[name], prev = [0, 0];
      for (let i = 0; i < n; i++) {
        const d = seg.dir[i];
        if (col[i] === null) { out[i] = NaN; continue; }
        prev[d] += col[i];
        out[i] = prev[d];
      }
    }
    let frame = 0, t = 0;
    for (let i = 0; i < n; i++) {
      frame += s.frame[i];
      t += s.t[i];
      seg.frame[i] = frame;
      seg.t[i] = t;
      seg.dir[i] = s.dir.charCodeAt(i) - 48;
      seg.len[i] = s.len[i];
      seg.flags[i] = s.flags[i];
      seg.cls[i] = s.class.charCodeAt(i) - 97;
    }
    column('seq', seg.seq);
    column('ack', seg.ack);
    column('win', seg.win);
    if (seg.diag) {
      column('in_flight', seg.inFlight);
      column('peer_win', seg.peerWin);
    }
    return seg;
  }

  /* [index, v1..vk, index, ...] -> Map(index -> v1, or [v1..vk]) */
  function sparse(list, k) {
    const m = new Map();
    for (let i = 0; i < list.length; i += k + 1) m.set(list[i], k === 1 ? list[i + 1] : list.slice(i + 1, i + 1 + k));
    return m;
  }

  function dataLo(seg, i) { return seg.seq[i] + (seg.flags[i] & TCP.SYN ? 1 : 0); }
  function nxtseq(seg, i) {
    return seg.seq[i] + seg.len[i] + (seg.flags[i] & TCP.SYN ? 1 : 0) + (seg.flags[i] & TCP.FIN ? 1 : 0);
  }
  function flagLetters(f) { return FLAG_LETTERS.filter(([bit]) => f & bit).map(([, l]) => l).join(''); }

  /* The first index whose value is >= x in an ascending array. */
  function lowerBound(arr, x) {
    let lo = 0, hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (arr[mid] < x) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /* ---- times, as the C renderers print them ----------------------------------- */

  function makeClock(data) {
    const first = BigInt(data.first.s) * 1000000000n + BigInt(data.first.ns);
    const pad9 = (v) => String(v).padStart(9, '0');
    /* seconds with dec decimals, truncated (report_format_seconds) */
    function seconds(ns, dec) {
      const m = Math.abs(ns), whole = Math.floor(m / NS);
      return (ns < 0 ? '-' : '') + whole + '.' + pad9(m - whole * NS).slice(0, dec);
    }
    function absolute(rel) { return first + BigInt(Math.round(rel)); }
    function epoch(rel, dec) {
      const a = absolute(rel);
      return (a / 1000000000n) + '.' + pad9(a % 1000000000n).slice(0, dec);
    }
    function clock(rel) { /* [ISO date and time to the second, ns fraction] */
      const a = absolute(rel), s = a / 1000000000n;
      return [new Date(Number(s) * 1000).toISOString().slice(0, 19), pad9(a % 1000000000n)];
    }
    /* a time in a table, per time= (delta: since prev) */
    function cell(mode, rel, prev) {
      if (mode === 'abs') { const [d, f] = clock(rel); return d + '.' + f.slice(0, 6) + 'Z'; }
      if (mode === 'epoch') return epoch(rel, 9);
      if (mode === 'delta') return seconds(rel - prev, 6);
      return seconds(rel, 6);
    }
    /* a tick of the time axis (render_svg.c time_label) */
    function tick(mode, rel, dec) {
      let text;
      if (mode === 'abs') { const [d, f] = clock(rel); return d.slice(11) + (dec ? '.' + f.slice(0, dec) : ''); }
      if (mode === 'epoch') text = epoch(rel, dec); else text = seconds(rel, dec);
      return dec ? text : text.slice(0, -1);
    }
    /* where round absolute times fall: rel = k * step - offset */
    function offset(step) { return Number(first % BigInt(step)); }
    return { seconds, cell, tick, offset };
  }

  /* ---- small DOM helpers -------------------------------------------------------- */

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  const SVG_NS = 'http://www.w3.org/2000/svg';
  function svgEl(tag, attrs, text) {
    const e = document.createElementNS(SVG_NS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /* ---- lazily drawn tables ------------------------------------------------------ */

  /* columns: [{title, width (CSS), num}]; cell(row, col) gives a string, or
   * {text, cls, frame} (frame: a link to that segment). */
  function makeTable(box, columns, count, cell, onFrame) {
    box.textContent = '';
    box.style.setProperty('--cols', columns.map((c) => c.width).join(' '));
    const head = el('div', 'vhead');
    columns.forEach((c) => head.appendChild(el('span', c.num ? 'num' : '', c.title)));
    head.style.gridTemplateColumns = 'var(--cols)';
    box.appendChild(head);
    if (!count) {
      box.appendChild(el('div', 'empty', 'none'));
      return { select() {} };
    }
    const body = el('div', 'vbody'), space = el('div', 'vspace'), rows = el('div', 'vrows');
    body.style.height = Math.min(count, TABLE_ROWS) * ROW_H + 'px';
    space.style.height = count * ROW_H + 'px';
    space.appendChild(rows);
    body.appendChild(space);
    box.appendChild(body);
    let selected = -1;

    function render() {
      const first = Math.max(0, Math.floor(body.scrollTop / ROW_H) - 2);
      const last = Math.min(count, first + TABLE_ROWS + 5);
      rows.style.transform = 'translateY(' + first * ROW_H + 'px)';
      const frag = document.createDocumentFragment();
      for (let r = first; r < last; r++) {
        const row = el('div', r === selected ? 'vrow selected' : 'vrow');
        row.style.gridTemplateColumns = 'var(--cols)';
        row.dataset.row = r;
        columns.forEach((c, k) => {
          const v = cell(r, k);
          const span = typeof v === 'object' ? el('span', v.cls || '', v.text) : el('span', '', v);
          if (c.num) span.classList.add('num');
          if (typeof v === 'object' && v.frame) {
            span.classList.add('goto');
            span.dataset.goto = v.frame;
          }
          row.appendChild(span);
        });
        frag.appendChild(row);
      }
      rows.replaceChildren(frag);
    }
    body.addEventListener('scroll', render, { passive: true });
    rows.addEventListener('click', (ev) => {
      const g = ev.target.closest('.goto');
      if (g) onFrame(Number(g.dataset.goto));
    });
    render();
    return {
      select(r) {
        selected = r;
        body.scrollTop = Math.max(0, r * ROW_H - body.clientHeight / 2);
        render();
        box.scrollIntoView({ block: 'nearest' });
      },
    };
  }

  function frameCell(f) { return f ? { text: String(f), frame: f } : ''; }
  function dirCell(d) { return { text: DIR_NAME[d], cls: 'c' + d }; }

  function segmentTable(box, data, seg, clock, onFrame) {
    const shown = [];
    for (let i = 0; i < seg.n; i++) if (data.dirs[seg.dir[i]]) shown.push(i);
    const rows = Uint32Array.from(shown);
    const mode = data.time;
    const timeWidth = mode === 'abs' ? '27ch' : mode === 'epoch' ? '20ch' : '12ch';
    const columns = [
      { title: 'frame', width: '8ch', num: true }, { title: mode === 'delta' ? 'delta' : 'time', width: timeWidth },
      { title: '', width: '2ch' }, { title: 'seq', width: '11ch', num: true },
      { title: 'nxtseq', width: '11ch', num: true }, { title: 'ack', width: '11ch', num: true },
      { title: 'flags', width: '5ch' }, { title: 'win', width: '8ch', num: true },
      { title: 'len', width: '7ch', num: true },
    ];
    if (seg.diag) {
      columns.push({ title: 'in flight', width: '9ch', num: true }, { title: 'peer win', width: '9ch', num: true },
        { title: 'rtt', width: '10ch', num: true });
    }
    columns.push({ title: 'class', width: '40ch' });
    const known = (v) => (Number.isNaN(v) ? '' : String(v));
    function cell(r, k) {
      const i = rows[r];
      switch (k) {
        case 0: return String(seg.frame[i]);
        case 1: return clock.cell(mode, seg.t[i], r ? seg.t[rows[r - 1]] : 0);
        case 2: return { text: ARROW[seg.dir[i]], cls: 'c' + seg.dir[i] };
        case 3: return String(seg.seq[i]);
        case 4: return String(nxtseq(seg, i));
        case 5: return known(seg.ack[i]);
        case 6: return flagLetters(seg.flags[i]);
        case 7: return String(seg.win[i]);
        case 8: return String(seg.len[i]);
      }
      if (k < columns.length - 1) {
        if (k === 9) return known(seg.inFlight[i]);
        if (k === 10) return known(seg.peerWin[i]);
        return seg.rtt.has(i) ? clock.seconds(seg.rtt.get(i), 6) : '';
      }
      const name = data.classes[seg.cls[i]];
      let text = name;
      if (seg.cut.has(i)) text += ' (' + seg.cut.get(i) + ' cut)';
      if (seg.differ.has(i)) text += ' (' + seg.differ.get(i) + ' differ)';
      if (seg.episode.has(i)) {
        const [cause, lost] = seg.episode.get(i);
        text += ' [' + data.causes[cause] + (data.lost[lost] === 'none' ? '' : ', lost ' + data.lost[lost]) + ']';
      }
      return { text, cls: 'k-' + name };
    }
    const table = makeTable(box, columns, rows.length, cell, onFrame);
    return {
      /* scroll to the segment of frame f and highlight it; false if not shown */
      show(f) {
        const i = lowerBound(seg.frame, f);
        if (i >= seg.n || seg.frame[i] !== f) return false;
        const r = lowerBound(rows, i);
        if (r >= rows.length || rows[r] !== i) return false;
        table.select(r);
        return true;
      },
    };
  }

  function analysisTables(data, clock, onFrame) {
    const mode = data.time === 'delta' ? 'rel' : data.time; /* spans: delta reads as rel */
    const timeWidth = mode === 'abs' ? '27ch' : mode === 'epoch' ? '20ch' : '12ch';
    const at = (ns) => clock.cell(mode, ns, 0);
    const secs = (ns) => (ns === null ? '' : clock.seconds(ns, 6));
    const box = (name) => document.querySelector('.vtable[data-table="' + name + '"]');
    const turns = data.turns, stalls = data.stalls, losses = data.losses;
    makeTable(box('turns'), [
      { title: '#', width: '6ch', num: true }, { title: 'direction', width: '17ch' },
      { title: 'first', width: timeWidth }, { title: 'last', width: timeWidth },
      { title: 'frames', width: '8ch', num: true }, { title: '', width: '8ch', num: true },
      { title: 'bytes', width: '11ch', num: true }, { title: 'segs', width: '7ch', num: true },
      { title: 'retx', width: '6ch', num: true }, { title: 'gaps', width: '5ch', num: true },
      { title: 'turnaround', width: '12ch', num: true },
    ], turns.length, (r, k) => {
      const t = turns[r];
      return [String(t[1]), dirCell(t[0]), at(t[2]), at(t[3]), frameCell(t[4]), frameCell(t[5]), String(t[6]),
        String(t[7]), String(t[8]), String(t[9]), secs(t[10])][k];
    }, onFrame);
    makeTable(box('stalls'), [
      { title: 'direction', width: '17ch' }, { title: 'start', width: timeWidth }, { title: 'end', width: timeWidth },
      { title: 'duration', width: '12ch', num: true }, { title: 'between', width: '8ch', num: true },
      { title: 'and', width: '8ch', num: true }, { title: 'ended by', width: '15ch' },
    ], stalls.length, (r, k) => {
      const s = stalls[r];
      return [dirCell(s[0]), at(s[1]), at(s[2]), secs(s[2] - s[1]), frameCell(s[3]), frameCell(s[4]), s[5]][k];
    }, onFrame);
    if (data.episodes) {
      const episodes = data.episodes, zws = data.zero_windows;
      makeTable(box('episodes'), [
        { title: 'direction', width: '17ch' }, { title: 'seq', width: '11ch', num: true },
        { title: 'len', width: '9ch', num: true }, { title: 'cause', width: '16ch' }, { title: 'lost', width: '15ch' },
        { title: 'first', width: '8ch', num: true }, { title: 'repair', width: '8ch', num: true },
        { title: 'dupacks', width: '8ch', num: true }, { title: 'timeouts', width: '9ch', num: true },
        { title: 'delay', width: '12ch', num: true },
      ], episodes.length, (r, k) => {
        const e = episodes[r];
        return [dirCell(e[0]), String(e[1]), String(e[2]), { text: data.causes[e[3]], cls: 'cause-' + data.causes[e[3]] },
          data.lost[e[4]], frameCell(e[5]), frameCell(e[6]), String(e[7]), String(e[8]), secs(e[9])][k];
      }, onFrame);
      makeTable(box('zero-windows'), [
        { title: 'blocked direction', width: '18ch' }, { title: 'start', width: timeWidth },
        { title: 'seconds', width: '12ch', num: true }, { title: 'first', width: '8ch', num: true },
        { title: 'last', width: '8ch', num: true }, { title: 'probes', width: '7ch', num: true },
      ], zws.length, (r, k) => {
        const z = zws[r];
        return [dirCell(z[0]), at(z[3]), secs(z[4]), frameCell(z[1]), frameCell(z[2]), String(z[5])][k];
      }, onFrame);
    }
    makeTable(box('losses'), [
      { title: 'direction', width: '17ch' }, { title: 'seq', width: '11ch', num: true },
      { title: 'len', width: '9ch', num: true }, { title: 'fate', width: '13ch' },
      { title: 'after', width: '8ch', num: true }, { title: 'before', width: '8ch', num: true },
      { title: 'shown by', width: '8ch', num: true }, { title: 'filled by', width: '9ch', num: true },
      { title: 'delay', width: '12ch', num: true },
    ], losses.length, (r, k) => {
      const l = losses[r];
      return [dirCell(l[0]), String(l[1]), String(l[2]), { text: l[3], cls: l[3] === 'recovered' ? '' : 'k-conflict' },
        frameCell(l[4]), frameCell(l[5]), frameCell(l[6]), frameCell(l[7]), secs(l[8])][k];
    }, onFrame);
  }

  /* ---- the graph ------------------------------------------------------------------ */

  /* 1, 2 or 5 times a power of ten, at least 1: about want ticks (render_svg.c) */
  function niceStep(span, want) {
    const raw = span / want, power = Math.pow(10, Math.floor(Math.log10(raw))), m = raw / power;
    return Math.max(1, Math.round((m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * power));
  }
  function trailingZeros(v) { let n = 0; for (; v && v % 10 === 0; v /= 10) n++; return n; }
  /* like sink_fixed: rounded, trailing zeros dropped */
  function fixed(v, dec) { return String(Number(v.toFixed(dec))); }

  function makeGraph(svg, data, seg, clock, onFrame) {
    const panels = Array.from(svg.querySelectorAll('g.panel')).map((g) => {
      const frame = g.querySelector('rect.frame');
      const num = (a) => Number(frame.getAttribute(a));
      return {
        g, dir: Number(g.dataset.dir), x: num('x'), y: num('y'), w: num('width'), h: num('height'),
        sLo: Number(g.dataset.sLo), sHi: Number(g.dataset.sHi), sy: 1, ty: 0,
        plot: g.querySelector('g.plot'), xaxis: g.querySelector('g.xaxis'), yaxis: g.querySelector('g.yaxis'),
        newPath: g.querySelector('g.plot .seg-new'), ackPath: g.querySelector('g.plot .ack'),
        winPath: g.querySelector('g.plot .window'), turnPath: g.querySelector('g.plot .turn'),
      };
    });
    if (!panels.length) return { reset() {} };
    const W = panels[0].w, tLo = Number(panels[0].g.dataset.tLo), tHi = Number(panels[0].g.dataset.tHi);
    const view = { sx: 1, tx: 0 };
    const u = new Float64Array(seg.n); /* each segment's x in the plot at zoom 1 */
    for (let i = 0; i < seg.n; i++) u[i] = (seg.t[i] - tLo) / (tHi - tLo) * W;
    const vOf = (p, s) => p.h - (s - p.sLo) / (p.sHi - p.sLo) * p.h;
    for (const p of panels) { /* the segments each dense layer draws */
      const news = [], acks = [];
      for (let i = 0; i < seg.n; i++) {
        if (seg.dir[i] === p.dir && data.classes[seg.cls[i]] === 'new' && seg.len[i] > 0) news.push(i);
        else if (seg.dir[i] !== p.dir && seg.flags[i] & TCP.ACK) acks.push(i);
      }
      p.news = Uint32Array.from(news);
      p.acks = Uint32Array.from(acks);
    }

    function visible() {
      return [-view.tx / view.sx, (W - view.tx) / view.sx];
    }
    function relAt(ux) { return tLo + ux / W * (tHi - tLo); }

    /* ---- axes ---- */
    function timeTicks(p) {
      const [u0, u1] = visible(), v0 = relAt(u0), v1 = relAt(u1);
      const step = niceStep(v1 - v0, 10), dec = Math.max(0, 9 - trailingZeros(step));
      const off = data.time === 'abs' || data.time === 'epoch' ? clock.offset(step) : 0;
      const frag = document.createDocumentFragment();
      for (let k = Math.floor((v0 + off) / step) + 1; k * step - off <= v1; k++) {
        const rel = k * step - off;
        const X = fixed(p.x + view.tx + view.sx * ((rel - tLo) / (tHi - tLo) * W), 2);
        frag.appendChild(svgEl('path', { class: 'grid', d: 'M' + X + ' ' + p.y + 'V' + (p.y + p.h) }));
        frag.appendChild(svgEl('path', { class: 'tick', d: 'M' + X + ' ' + (p.y + p.h) + 'v5' }));
        frag.appendChild(svgEl('text', { class: 'xlabel', x: X, y: p.y + p.h + 17 }, clock.tick(data.time, rel, dec)));
      }
      p.xaxis.replaceChildren(frag);
    }
    function seqTicks(p) {
      const v0 = p.sLo + (p.h - (p.h - p.ty) / p.sy) / p.h * (p.sHi - p.sLo);
      const v1 = p.sLo + (p.h - (-p.ty) / p.sy) / p.h * (p.sHi - p.sLo);
      const step = niceStep(v1 - v0, 6);
      const top = Math.max(Math.abs(p.sLo), Math.abs(p.sHi));
      const unit = top >= 1e9 ? 1e9 : top >= 1e6 ? 1e6 : top >= 1e4 ? 1e3 : 1;
      const suffix = { 1e9: 'G', 1e6: 'M', 1e3: 'k', 1: '' }[unit];
      const dec = Math.max(0, trailingZeros(unit) - trailingZeros(step));
      const frag = document.createDocumentFragment();
      for (let k = Math.floor(v0 / step) + 1; k * step <= v1; k++) {
        const Y = fixed(p.y + p.ty + p.sy * vOf(p, k * step), 2);
        frag.appendChild(svgEl('path', { class: 'grid', d: 'M' + p.x + ' ' + Y + 'H' + (p.x + p.w) }));
        frag.appendChild(svgEl('path', { class: 'tick', d: 'M' + (p.x - 5) + ' ' + Y + 'h5' }));
        const label = k ? fixed(k * step / unit, dec) + suffix : '0';
        frag.appendChild(svgEl('text', { class: 'ylabel', x: p.x - 8, y: fixed(Number(Y) + 4, 2) }, label));
      }
      p.yaxis.replaceChildren(frag);
    }

    /* ---- the dense layers, at the current resolution ---- */
    function denseLayers(p) {
      const qx = 10 * view.sx, qy = 10 * p.sy; /* quanta per plot unit: a tenth of a screen pixel */
      const dec = Math.max(1, Math.ceil(Math.log10(Math.max(qx, qy))));
      const [u0, u1] = visible(), margin = (u1 - u0) * 0.05, lo = u0 - margin, hi = u1 + margin;
      const X = (q) => (q / qx).toFixed(dec), Y = (q) => (q / qy).toFixed(dec);
      /* new data: bars that follow each other within a quantum are one */
      const parts = [];
      let run = false, runQ = 0, runLo = 0, runHi = 0;
      const flush = () => { if (run) parts.push('M' + X(runQ) + ' ' + Y(Math.round(vOf(p, runLo) * qy)) + 'V' + Y(Math.round(vOf(p, runHi) * qy))); };
      for (const i of p.news) {
        if (u[i] < lo || u[i] > hi) { flush(); run = false; continue; }
        const q = Math.round(u[i] * qx), s0 = dataLo(seg, i), s1 = s0 + seg.len[i];
        if (run && q === runQ && s0 === runHi) { runHi = s1; continue; }
        flush();
        run = true; runQ = q; runLo = s0; runHi = s1;
      }
      flush();
      p.newPath.setAttribute('d', parts.join(''));
      /* turn starts: dashed lines, or ticks at the top when they would be
       * closer than TURN_LINE_SPACING px (render_svg.c put_turns) */
      const starts = [];
      let lastQ = null, columns = 0, lastPx = null;
      for (const t of data.turns) {
        const ut = (t[2] - tLo) / (tHi - tLo) * W;
        if (ut < lo || ut > hi) continue;
        const q = Math.round(ut * qx), px = Math.round(view.tx + ut * view.sx);
        if (px !== lastPx) { columns++; lastPx = px; }
        if (q !== lastQ) { starts.push(q); lastQ = q; }
      }
      const lines = columns * TURN_LINE_SPACING <= W;
      const top = -p.ty / p.sy, bottom = lines ? top + p.h / p.sy : top + TURN_TICK / p.sy;
      p.turnPath.classList.toggle('turn-tick', !lines);
      const turns = starts.map((q) => 'M' + X(q) + ' ' + fixed(top, dec + 2) + 'V' + fixed(bottom, dec + 2));
      p.turnPath.setAttribute('d', turns.join(''));
      /* ACK and window: step lines, the last value of each quantum */
      for (const [path, withWin] of [[p.ackPath, false], [p.winPath, true]]) {
        const d = [];
        let started = false, wx = 0, wy = 0, cx = 0, cv = 0;
        const column = () => {
          if (cv === wy) return;
          if (cx !== wx) { d.push('H' + X(cx)); wx = cx; }
          d.push('V' + Y(cv)); wy = cv;
        };
        const point = (q, v) => {
          if (!started) { d.push('M' + X(q) + ' ' + Y(v)); started = true; wx = cx = q; wy = cv = v; return; }
          if (q !== cx) { column(); cx = q; }
          cv = v;
        };
        let before = -1;
        for (const i of p.acks) {
          if (u[i] < lo) { before = i; continue; }
          if (before >= 0) { point(Math.round(lo * qx), Math.round(vOf(p, seg.ack[before] + (withWin ? seg.win[before] : 0)) * qy)); before = -1; }
          point(Math.round(u[i] * qx), Math.round(vOf(p, seg.ack[i] + (withWin ? seg.win[i] : 0)) * qy));
          if (u[i] > hi) break;
        }
        if (before >= 0) point(Math.round(lo * qx), Math.round(vOf(p, seg.ack[before] + (withWin ? seg.win[before] : 0)) * qy));
        if (started) { point(Math.max(cx, Math.round(Math.min(W, hi) * qx)), cv); column(); if (cx !== wx) d.push('H' + X(cx)); }
        path.setAttribute('d', d.join(''));
      }
    }

    let pending = false;
    function showRange() {
      const [u0, u1] = visible(), v0 = relAt(u0), v1 = relAt(u1);
      svg.dataset.viewT0 = v0 / NS;
      svg.dataset.viewT1 = v1 / NS;
      const mode = data.time === 'delta' ? 'rel' : data.time;
      document.getElementById('view-range').textContent =
        'showing ' + clock.cell(mode, v0, 0) + ' \u2013 ' + clock.cell(mode, v1, 0) +
        (mode === 'rel' ? ' s' : '') + (view.sx > 1 ? ' (\u00d7' + fixed(view.sx, 1) + ')' : '');
    }
    function apply() {
      for (const p of panels) {
        p.plot.setAttribute('transform', 'translate(' + (p.x + view.tx) + ' ' + (p.y + p.ty) + ') scale(' +
          view.sx + ' ' + p.sy + ')');
        timeTicks(p);
        seqTicks(p);
      }
      showRange();
      if (!pending) {
        pending = true;
        requestAnimationFrame(() => { pending = false; panels.forEach(denseLayers); });
      }
    }

    function clamp(v, lo, hi) { return Math.min(hi, Math.max(lo, v)); }
    function zoomX(ox, f) {
      const sx = clamp(view.sx * f, 1, MAX_ZOOM);
      view.tx = clamp(ox - (ox - view.tx) * sx / view.sx, W - W * sx, 0);
      view.sx = sx;
    }
    function zoomY(p, oy, f) {
      const sy = clamp(p.sy * f, 1, MAX_ZOOM);
      p.ty = clamp(oy - (oy - p.ty) * sy / p.sy, p.h - p.h * sy, 0);
      p.sy = sy;
    }
    /* the panel under the pointer and the pointer in its plot's coordinates */
    function locate(ev) {
      for (const p of panels) {
        const m = p.g.getScreenCTM();
        if (!m) continue;
        const pt = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(m.inverse());
        const ox = pt.x - p.x, oy = pt.y - p.y;
        if (ox >= 0 && ox <= p.w && oy >= 0 && oy <= p.h) return { p, ox, oy, scale: m.a };
      }
      return null;
    }

    /* Fit a panel's seq axis to what it draws in the time in view: its data
     * and the peer's ACKs (not the window, as at zoom 1). */
    function fitY(p) {
      const [u0, u1] = visible();
      let lo = Infinity, hi = -Infinity;
      for (let i = 0; i < seg.n; i++) {
        if (u[i] < u0 || u[i] > u1) continue;
        if (seg.dir[i] === p.dir) {
          lo = Math.min(lo, seg.seq[i]);
          hi = Math.max(hi, dataLo(seg, i) + seg.len[i], nxtseq(seg, i));
        } else if (seg.flags[i] & TCP.ACK) {
          lo = Math.min(lo, seg.ack[i]);
          hi = Math.max(hi, seg.ack[i]);
        }
      }
      if (lo > hi) return;
      const margin = Math.max(1, (hi - lo) * 0.05);
      const top = vOf(p, hi + margin), bottom = vOf(p, lo - margin);
      p.sy = clamp(p.h / Math.max(bottom - top, 1e-9), 1, MAX_ZOOM);
      p.ty = clamp(-top * p.sy, p.h - p.h * p.sy, 0);
    }

    svg.addEventListener('wheel', (ev) => {
      const at = locate(ev);
      if (!at) return;
      ev.preventDefault();
      const f = Math.exp(-ev.deltaY * (ev.deltaMode ? 0.05 : 0.002));
      if (ev.shiftKey) {
        zoomY(at.p, at.oy, f);
      } else {
        zoomX(at.ox, f);
        panels.forEach(fitY);
      }
      apply();
    }, { passive: false });

    let drag = null;
    svg.addEventListener('pointerdown', (ev) => {
      const at = locate(ev);
      if (!at || ev.button !== 0) return;
      drag = { at, x: ev.clientX, y: ev.clientY, tx: view.tx, ty: at.p.ty, moved: false, id: ev.pointerId };
    });
    svg.addEventListener('pointermove', (ev) => {
      if (drag) {
        const dx = (ev.clientX - drag.x) / drag.at.scale, dy = (ev.clientY - drag.y) / drag.at.scale;
        if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
        if (!drag.moved) { drag.moved = true; svg.setPointerCapture(drag.id); svg.classList.add('dragging'); hideTip(); }
        const p = drag.at.p;
        view.tx = clamp(drag.tx + dx, W - W * view.sx, 0);
        p.ty = clamp(drag.ty + dy, p.h - p.h * p.sy, 0);
        apply();
        return;
      }
      const mark = ev.target.closest && ev.target.closest('[data-frame]');
      if (mark) showTip(Number(mark.dataset.frame), ev); else hideTip();
    });
    let dragged = false;
    const endDrag = () => {
      dragged = drag !== null && drag.moved;
      if (dragged) { svg.releasePointerCapture(drag.id); svg.classList.remove('dragging'); }
      drag = null;
    };
    svg.addEventListener('pointerup', endDrag);
    svg.addEventListener('pointercancel', endDrag);
    svg.addEventListener('pointerleave', hideTip);
    svg.addEventListener('click', (ev) => {
      if (dragged) { dragged = false; return; }
      const mark = ev.target.closest('[data-frame]');
      if (mark) { onFrame(Number(mark.dataset.frame)); return; }
      const at = locate(ev);
      const i = at ? nearest(at) : -1;
      if (i >= 0) onFrame(seg.frame[i]);
    });

    /* The data segment of the panel's direction drawn nearest the pointer, within 8 px. */
    function nearest(at) {
      const p = at.p;
      let best = -1, bestDist = 8;
      for (let i = 0; i < seg.n; i++) {
        if (seg.dir[i] !== p.dir || (!seg.len[i] && data.classes[seg.cls[i]] === 'control')) continue;
        const x = view.tx + view.sx * u[i];
        if (Math.abs(x - at.ox) > bestDist) continue;
        const s0 = dataLo(seg, i), ya = p.ty + p.sy * vOf(p, s0 + seg.len[i]), yb = p.ty + p.sy * vOf(p, s0);
        const dist = Math.abs(x - at.ox) + Math.max(0, ya - at.oy, at.oy - yb);
        if (dist < bestDist) { best = i; bestDist = dist; }
      }
      return best;
    }

    const tip = document.getElementById('tip');
    function showTip(f, ev) {
      const i = lowerBound(seg.frame, f);
      if (i >= seg.n || seg.frame[i] !== f) return;
      const mode = data.time === 'delta' ? 'rel' : data.time;
      tip.textContent = 'frame ' + f + '\n' + 'time  ' + clock.cell(mode, seg.t[i], 0) + '\n' +
        ARROW[seg.dir[i]] + ' seq ' + seg.seq[i] + '-' + nxtseq(seg, i) + ' len ' + seg.len[i] + '\n' +
        'class ' + data.classes[seg.cls[i]];
      tip.hidden = false;
      tip.style.left = (ev.clientX + 14) + 'px';
      tip.style.top = (ev.clientY + 14) + 'px';
    }
    function hideTip() { tip.hidden = true; }

    showRange();
    return {
      reset() {
        view.sx = 1; view.tx = 0;
        for (const p of panels) { p.sy = 1; p.ty = 0; }
        apply();
      },
    };
  }

  /* ---- start ----------------------------------------------------------------------- */

  function start() {
    const data = JSON.parse(document.getElementById('tft-data').textContent);
    const seg = decodeSegments(data.segments);
    const clock = makeClock(data);
    let segments = null;
    const onFrame = (f) => { if (segments) segments.show(f); };
    segments = segmentTable(document.querySelector('.vtable[data-table="segments"]'), data, seg, clock, onFrame);
    analysisTables(data, clock, onFrame);
    const svg = document.querySelector('.graph-box svg');
    const graph = makeGraph(svg, data, seg, clock, onFrame);
    document.getElementById('zoom-reset').addEventListener('click', graph.reset);
    const follow = document.querySelector('.follow');
    if (follow) {
      follow.addEventListener('click', (ev) => {
        const span = ev.target.closest('[data-f]');
        if (span) onFrame(Number(span.dataset.f));
      });
    }
    document.documentElement.dataset.ready = 'yes';
  }

  /* paint the page first: parsing a large data block takes a moment */
  requestAnimationFrame(() => setTimeout(start, 0));
})();
