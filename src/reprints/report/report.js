/* reprints report: builds the pair, quote and story views from the embedded JSON.
 * Article text only ever reaches the page through textContent or setAttribute, never
 * innerHTML, so nothing in an article can become markup. Only the pair on screen and one
 * page of each list exist in the DOM at a time. */
(function () {
  'use strict';
  var started = performance.now();
  var D = JSON.parse(document.getElementById('reprints-data').textContent);
  var DOCS = D.docs, M = D.matches, Q = D.quotes, OUTLETS = D.outlets;
  var KIND = ['verbatim', 'reworded'];
  var PAGE = 25;

  /* ---------- small DOM builders (text is always set with textContent) ---------- */
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
    return parent;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function $(id) { return document.getElementById(id); }

  function outletOf(di) { var o = DOCS[di][1]; return o < 0 ? D.no_outlet : OUTLETS[o]; }
  function nameOf(di) { return DOCS[di][1] < 0 ? (DOCS[di][3] || DOCS[di][0]) : OUTLETS[DOCS[di][1]]; }
  function dateOf(di) { return DOCS[di][2] ? String(DOCS[di][2]).slice(0, 10) : ''; }
  function textOf(di) { return DOCS[di][5] || ''; }
  function plural(n, word, many) { return n + ' ' + (n === 1 ? word : many || word + 's'); }
  function safeUrl(url) { return /^https?:\/\//i.test(url || '') ? url : null; }

  /* ---------- filters ---------- */
  var filter = { outlets: null, from: '', to: '' };
  function docPasses(di) {
    if (filter.outlets && !filter.outlets[DOCS[di][1]]) return false;
    var d = dateOf(di);
    if (d && filter.from && d < filter.from) return false;
    if (d && filter.to && d > filter.to) return false;
    return true;
  }
  function anyPasses(list) {
    for (var i = 0; i < list.length; i++) if (docPasses(list[i])) return true;
    return false;
  }
  function checkboxes() {
    var picker = $('f-outlets');
    return picker ? Array.prototype.slice.call(picker.querySelectorAll('input[type=checkbox]')) : [];
  }
  function decode(value) {
    try { return decodeURIComponent(value); } catch (err) { return value; }  // a mangled link
  }
  /* Filters live in the URL (#outlet=…&from=…&to=…&pair=a|b), so a filtered view can be shared. */
  function hashState() {
    var state = { outlets: [], from: '', to: '', pair: null };
    location.hash.replace(/^#/, '').split('&').forEach(function (part) {
      var at = part.indexOf('=');
      if (at < 0) return;
      var key = part.slice(0, at), value = part.slice(at + 1);
      if (key === 'pair') {
        var bar = value.indexOf('|');
        if (bar >= 0) state.pair = [decode(value.slice(0, bar)), decode(value.slice(bar + 1))];
      } else if (key === 'outlet') state.outlets.push(decode(value));
      else if ((key === 'from' || key === 'to') && /^\d{4}-\d{2}-\d{2}$/.test(decode(value))) state[key] = decode(value);
    });
    return state;
  }
  function filterHash(pair) {
    var parts = [];
    checkboxes().forEach(function (box) {
      if (box.checked) parts.push('outlet=' + encodeURIComponent(box.getAttribute('data-name')));
    });
    if (filter.from) parts.push('from=' + encodeURIComponent(filter.from));
    if (filter.to) parts.push('to=' + encodeURIComponent(filter.to));
    if (pair) parts.push('pair=' + encodeURIComponent(DOCS[pair[0]][0]) + '|' + encodeURIComponent(DOCS[pair[1]][0]));
    return parts.length ? '#' + parts.join('&') : '#';
  }
  function applyHashFilters(state) {
    checkboxes().forEach(function (box) {
      box.checked = state.outlets.indexOf(box.getAttribute('data-name')) >= 0;
    });
    if ($('f-from')) { $('f-from').value = state.from; $('f-to').value = state.to; }
  }
  function readFilters(fromHash) {
    var boxes = checkboxes();
    var chosen = {}, names = {}, count = 0, last = '';
    boxes.forEach(function (box) {
      if (!box.checked) return;
      chosen[box.value] = true; names[box.getAttribute('data-name')] = true;
      count++; last = box.getAttribute('data-name');
    });
    filter.outlets = count ? chosen : null;
    filter.from = $('f-from') ? $('f-from').value : '';
    filter.to = $('f-to') ? $('f-to').value : '';
    if ($('f-outlets')) {
      $('f-outlets').querySelector('summary').textContent =
        count === 0 ? 'All outlets' : count === 1 ? last : count + ' outlets';
    }
    var marked = document.querySelectorAll('[data-outlet]');
    for (var j = 0; j < marked.length; j++) {
      marked[j].classList.toggle('dim', count > 0 && !names[marked[j].getAttribute('data-outlet')]);
    }
    if (fromHash !== true && history.replaceState) {
      var state = hashState(), open = null;
      if (state.pair) open = pairOf(state.pair[0], state.pair[1]);
      history.replaceState(null, '', filterHash(open ? [D.pairs[open.index][0], D.pairs[open.index][1]] : null));
    }
    pairPage = 0; familyPage = 0; storyPage = 0;
    renderPairs(); renderFamilies(); renderStories();
  }

  /* ---------- pager ---------- */
  function pager(host, total, page, onPage, noun, nouns) {
    clear(host);
    if (total <= PAGE) { add(host, el('span', 'count', plural(total, noun, nouns))); return; }
    var pages = Math.ceil(total / PAGE);
    var prev = el('button', 'page', '‹ previous'), next = el('button', 'page', 'next ›');
    prev.disabled = page === 0; next.disabled = page >= pages - 1;
    prev.onclick = function () { onPage(page - 1); };
    next.onclick = function () { onPage(page + 1); };
    add(host, prev, el('span', 'count', 'page ' + (page + 1) + ' of ' + pages + ' · ' +
      plural(total, noun, nouns)), next);
  }

  /* ---------- document pairs ---------- */
  var pairPage = 0, pairIndex = {};
  (D.pairs || []).forEach(function (p, i) { pairIndex[DOCS[p[0]][0] + '\n' + DOCS[p[1]][0]] = i; });

  function pairDirection(p) {
    var ab = 0, ba = 0;
    p[2].forEach(function (mi) { if (M[mi][8] === 0) ab++; else if (M[mi][8] === 1) ba++; });
    return ba > ab ? 'b->a' : ab > 0 ? 'a->b' : 'undirected';
  }
  function pairHash(p) { return filterHash([p[0], p[1]]); }
  function docCell(di) {
    var cell = el('span', 'doc');
    add(cell, el('span', 'outlet', outletOf(di)), el('span', 'date', dateOf(di) || 'undated'),
      el('span', 'title', DOCS[di][3] || DOCS[di][0]));
    return cell;
  }

  function renderPairs() {
    var host = $('pair-list');
    if (!host) return;
    var shown = [];
    var words = ($('pair-search') ? $('pair-search').value : '').toLowerCase().split(/\s+/).filter(Boolean);
    function found(di) {
      if (!words.length) return true;
      var hay = (DOCS[di][0] + ' ' + outletOf(di) + ' ' + (DOCS[di][3] || '')).toLowerCase();
      return words.every(function (w) { return hay.indexOf(w) >= 0; });
    }
    D.pairs.forEach(function (p, i) {
      if ((docPasses(p[0]) || docPasses(p[1])) && (found(p[0]) || found(p[1]))) shown.push(i);
    });
    clear(host);
    var start = pairPage * PAGE;
    shown.slice(start, start + PAGE).forEach(function (i) {
      var p = D.pairs[i], verb = 0, rew = 0;
      p[2].forEach(function (mi) { if (M[mi][6] === 0) verb++; else rew++; });
      var dir = pairDirection(p);
      var left = dir === 'b->a' ? p[1] : p[0], right = dir === 'b->a' ? p[0] : p[1];
      var row = el('a', 'pair-row');
      row.setAttribute('href', pairHash(p));
      add(row, docCell(left), el('span', 'arrow', dir === 'undirected' ? '↔' : '→'), docCell(right),
        add(el('span', 'badges'),
          verb ? el('span', 'badge verbatim', plural(verb, 'verbatim passage')) : null,
          rew ? el('span', 'badge reworded', plural(rew, 'reworded passage')) : null,
          el('span', 'words', plural(p[3], 'word'))));
      host.appendChild(row);
    });
    if (!shown.length) host.appendChild(el('p', 'empty', 'No document pairs match the filters.'));
    pager($('pair-pager'), shown.length, pairPage, function (n) { pairPage = n; renderPairs(); },
      'document pair');
  }

  /* Split [0, text.length) at every boundary of the pair's passages, changed words and quotes,
   * and give each piece its covering match, change mark and quote. */
  function segments(di, layers, from, to) {
    var cuts = [from, to], i, j;
    layers.forEach(function (r) {
      if (r.e > from && r.s < to) { cuts.push(Math.max(r.s, from)); cuts.push(Math.min(r.e, to)); }
    });
    cuts.sort(function (x, y) { return x - y; });
    var out = [];
    for (i = 0; i < cuts.length - 1; i++) {
      var s = cuts[i], e = cuts[i + 1];
      if (e <= s) continue;
      var seg = { s: s, e: e, m: -1, changed: false, moved: false, q: -1, speaker: -1, bp: -1, d: -1 };
      for (j = 0; j < layers.length; j++) {
        var r = layers[j];
        if (r.s > s || r.e < e) continue;
        if (r.type === 'm' && seg.m < 0) seg.m = r.id;
        else if (r.type === 'c' && r.m === seg.m) seg.changed = true;
        else if (r.type === 'c' && seg.m < 0) { seg.m = r.m; seg.changed = true; }
        else if (r.type === 'mv' && r.m === seg.m) seg.moved = true;
        else if (r.type === 'mv' && seg.m < 0) { seg.m = r.m; seg.moved = true; }
        else if (r.type === 'q') seg.q = r.id;
        else if (r.type === 'sp') seg.speaker = r.id;
        else if (r.type === 'bp') seg.bp = r.id;
        else if (r.type === 'd' && (seg.d < 0 || r.kind < seg.d)) seg.d = r.kind;
      }
      out.push(seg);
    }
    return out;
  }

  var quotesByDoc = {}, boilerplateByDoc = {}, derivedByDoc = {}, BP = D.boilerplate || [], DW = D.derived || [];
  Q.forEach(function (q, qi) { (quotesByDoc[q[0]] = quotesByDoc[q[0]] || []).push(qi); });
  DW.forEach(function (d, i) { (derivedByDoc[d[0]] = derivedByDoc[d[0]] || []).push(i); });
  BP.forEach(function (b, bi) { (boilerplateByDoc[b[0]] = boilerplateByDoc[b[0]] || []).push(bi); });

  /* The layers of document di in the view of its pair with document other (-1: no pair):
   * passages, changed and moved words, boilerplate, quotes, and the words the word-level
   * layer says di took from other outside the passages. */
  function layersFor(di, matchIds, other) {
    var layers = [];
    if (other !== undefined && other >= 0) {
      (derivedByDoc[di] || []).forEach(function (i) {
        if (DW[i][4].indexOf(other) >= 0) layers.push({ type: 'd', kind: DW[i][3], s: DW[i][1], e: DW[i][2] });
      });
    }
    matchIds.forEach(function (mi) {
      var m = M[mi];
      var side = m[0] === di ? 0 : 1;
      var s = side === 0 ? m[1] : m[4], e = side === 0 ? m[2] : m[5];
      var marks = side === 0 ? m[11] : m[12];
      var moved = (side === 0 ? m[13] : m[14]) || [];
      layers.push({ type: 'm', id: mi, s: s, e: e });
      for (var k = 0; k < marks.length; k += 2) layers.push({ type: 'c', m: mi, s: marks[k], e: marks[k + 1] });
      for (k = 0; k < moved.length; k += 2) layers.push({ type: 'mv', m: mi, s: moved[k], e: moved[k + 1] });
    });
    (boilerplateByDoc[di] || []).forEach(function (bi) {
      layers.push({ type: 'bp', id: bi, s: BP[bi][1], e: BP[bi][2] });
    });
    (quotesByDoc[di] || []).forEach(function (qi) {
      var q = Q[qi];
      layers.push({ type: 'q', id: qi, s: q[1], e: q[2] });
      if (q[4] !== null && q[5] !== null) layers.push({ type: 'sp', id: qi, s: q[4], e: q[5] });
    });
    return layers;
  }

  function quoteTitle(qi) {
    var q = Q[qi], parts = ['quote'];
    if (q[3]) parts.push('speaker: ' + q[3]);
    if (q[9]) parts.push('cue: ' + q[9]);
    if (q[10]) parts.push('medium: ' + q[10]);
    if (q[12] && q[12].length) parts.push('change: ' + q[12].join(', '));
    else if (q[8]) parts.push('change: ' + q[8]);
    return parts.join(' · ');
  }

  /* Build the marked-up text of document di over [from, to). */
  function markedText(di, layers, from, to, registry, side) {
    var text = textOf(di), frag = document.createDocumentFragment();
    segments(di, layers, from, to).forEach(function (seg) {
      var piece = text.slice(seg.s, seg.e);
      var lifted = seg.m < 0 && seg.d >= 0 && seg.bp < 0;
      if (seg.m < 0 && seg.q < 0 && seg.speaker < 0 && seg.bp < 0 && !lifted) {
        frag.appendChild(document.createTextNode(piece));
        return;
      }
      var span = el('span', null, piece), cls = [];
      if (seg.m >= 0) {
        cls.push('m', KIND[M[seg.m][6]]);
        span.setAttribute('data-m', seg.m);
        span.setAttribute('data-s', seg.s);
        span.setAttribute('data-e', seg.e);
        span.setAttribute('data-side', side);
        if (registry) (registry[seg.m] = registry[seg.m] || []).push(span);
      }
      if (seg.changed) cls.push('changed');
      else if (seg.moved) cls.push('moved');
      var tips = [];
      if (seg.m >= 0) tips.push(KIND[M[seg.m][6]] + ' passage · score ' + M[seg.m][7].toFixed(2) + ' · ' +
        plural(M[seg.m][10], 'word') + (seg.changed ? ' · changed words' : seg.moved ?
          ' · moved words: kept, in another place in the other passage' : ''));
      if (lifted) {
        cls.push('d', KIND[seg.d]);
        tips.push('words taken from the other article (' + KIND[seg.d] + ') outside the aligned passages');
      }
      if (seg.q >= 0) { cls.push('q'); tips.push(quoteTitle(seg.q)); }
      if (seg.bp >= 0) {
        cls.push('bp');
        span.setAttribute('data-bp-s', seg.s);
        tips.push('boilerplate, repeated in ' + plural(BP[seg.bp][4], 'article') +
          (BP[seg.bp][3] === 'outlet' ? ' of this outlet' : ' across the corpus') + ': not counted as reuse');
      }
      if (tips.length) span.setAttribute('title', tips.join('\n'));
      if (seg.speaker >= 0) cls.push('speaker');
      span.className = cls.join(' ');
      frag.appendChild(span);
      if (seg.q >= 0 && seg.e === Q[seg.q][2] && Q[seg.q][3]) {
        var label = el('span', 'spk');
        label.setAttribute('data-speaker', Q[seg.q][3]);
        label.setAttribute('aria-label', 'speaker: ' + Q[seg.q][3]);
        frag.appendChild(label);
      }
    });
    return frag;
  }

  function docHeader(di) {
    var head = el('div', 'doc-head');
    add(head, add(el('div', 'meta'), el('span', 'outlet', outletOf(di)),
      el('span', 'date', dateOf(di) || 'undated'), el('span', 'id', DOCS[di][0])));
    var url = safeUrl(DOCS[di][4]);
    var title = el(url ? 'a' : 'div', 'doc-title', DOCS[di][3] || DOCS[di][0]);
    if (url) { title.setAttribute('href', url); title.setAttribute('rel', 'noopener noreferrer'); }
    return add(head, title);
  }

  var hot = [];
  function heat(mi, registry, on) {
    hot.forEach(function (n) { n.classList.remove('hot'); });
    hot = [];
    if (!on || !registry[mi]) return;
    hot = registry[mi];
    hot.forEach(function (n) { n.classList.add('hot'); });
  }
  function scrollWithin(box, node) {
    if (!box || !node) return;
    // .text is position: relative, so a span's offsetTop is measured from the top of its box.
    box.scrollTop = Math.max(0, node.offsetTop - box.clientHeight / 4);
  }

  function renderPairView(leftDoc, rightDoc, matchIds) {
    var host = $('pair-view');
    clear(host);
    host.hidden = false;
    var registry = {};
    var verb = 0, rew = 0, words = 0, credited = 0;
    matchIds.forEach(function (mi) {
      if (M[mi][6] === 0) verb++; else rew++;
      words += M[mi][10];
      if (M[mi][9]) credited++;
    });
    var close = el('a', 'close', '× close');
    close.setAttribute('href', filterHash(null));
    close.setAttribute('title', 'back to the list of pairs');
    if (D.mode === 'report') host.appendChild(close);
    var summary = el('p', 'summary', plural(matchIds.length, 'passage') + ' · ' + verb + ' verbatim · ' +
      rew + ' reworded · ' + plural(words, 'word') + (credited ? ' · ' + credited + ' credited' : '') +
      ' — hover or click a passage to light up its partner; the darker one is in focus.');
    add(host, el('h3', null, nameOf(leftDoc) + (matchIds.some(function (mi) { return M[mi][8] !== 2; }) ?
      ' → ' : ' ↔ ') + nameOf(rightDoc)), summary, legend());
    var cols = el('div', 'columns');
    var boxes = [leftDoc, rightDoc].map(function (di, n) {
      var col = el('div', 'col');
      var box = el('div', 'text');
      box.setAttribute('id', n === 0 ? 'col-left' : 'col-right');
      box.setAttribute('data-doc', DOCS[di][0]);
      box.appendChild(markedText(di, layersFor(di, matchIds, n === 0 ? rightDoc : leftDoc), 0, textOf(di).length, registry,
        n === 0 ? 'left' : 'right'));
      add(cols, add(col, docHeader(di), box));
      return box;
    });
    // Step through the passages in reading order of the left article (keys j / k too).
    var order = matchIds.slice().sort(function (x, y) {
      return (M[x][0] === leftDoc ? M[x][1] : M[x][4]) - (M[y][0] === leftDoc ? M[y][1] : M[y][4]);
    });
    var current = -1;
    var stepper = el('div', 'stepper');
    var prevButton = el('button', 'page', '‹ previous passage'), nextButton = el('button', 'page', 'next passage ›');
    var position = el('span', 'count');
    function step(by) {
      if (!order.length) return;
      current = (current + by + order.length) % order.length;
      showMatch(order[current]);
    }
    prevButton.onclick = function () { step(-1); };
    nextButton.onclick = function () { step(1); };
    if (order.length > 1) host.appendChild(add(stepper, prevButton, position, nextButton));
    document.onkeydown = function (ev) {
      if (ev.target && /INPUT|SELECT|TEXTAREA/.test(ev.target.tagName)) return;
      if (ev.key === 'j') step(1); else if (ev.key === 'k') step(-1);
    };
    host.appendChild(cols);
    if (!matchIds.length) host.appendChild(el('p', 'empty', 'These two documents share no passage.'));

    /* Scroll both columns to the start of match mi and light it up. */
    function showMatch(mi) {
      heat(mi, registry, true);
      current = order.indexOf(mi);
      position.textContent = 'passage ' + (current + 1) + ' of ' + order.length + ' (keys j / k)';
      var done = {};
      (registry[mi] || []).forEach(function (n) {
        var side = n.getAttribute('data-side');
        if (done[side]) return;
        done[side] = true;
        scrollWithin(side === 'left' ? boxes[0] : boxes[1], n);
      });
    }
    function partnerOf(node) {
      var list = registry[node.getAttribute('data-m')] || [];
      var side = node.getAttribute('data-side');
      for (var i = 0; i < list.length; i++) if (list[i].getAttribute('data-side') !== side) return list[i];
      return null;
    }
    cols.addEventListener('mouseover', function (ev) {
      var t = ev.target.closest ? ev.target.closest('[data-m]') : null;
      heat(t ? t.getAttribute('data-m') : -1, registry, !!t);
    });
    cols.addEventListener('click', function (ev) {
      var t = ev.target.closest ? ev.target.closest('[data-m]') : null;
      if (!t) return;
      heat(t.getAttribute('data-m'), registry, true);
      current = order.indexOf(+t.getAttribute('data-m'));
      position.textContent = 'passage ' + (current + 1) + ' of ' + order.length + ' (keys j / k)';
      var partner = partnerOf(t);
      if (partner) scrollWithin(partner.getAttribute('data-side') === 'left' ? boxes[0] : boxes[1], partner);
    });

    // The aligned passages: each match's two sides next to each other.
    if (matchIds.length) {
      host.appendChild(el('h3', null, 'Aligned passages'));
      var table = el('div', 'aligned');
      order.forEach(function (mi) {
        var m = M[mi];
        var row = el('div', 'arow');
        row.setAttribute('title', 'show this passage in both articles above');
        row.addEventListener('click', function () {
          showMatch(mi);
          cols.scrollIntoView({ block: 'start' });
        });
        var leftSide = m[0] === leftDoc ? 0 : 1;
        [[leftDoc, leftSide, 'left'], [rightDoc, 1 - leftSide, 'right']].forEach(function (spec) {
          var di = spec[0], side = spec[1];
          var s = side === 0 ? m[1] : m[4], e = side === 0 ? m[2] : m[5];
          var layers = layersFor(di, [mi]);
          var cell = el('div', 'apass');
          cell.appendChild(markedText(di, layers, s, e, null, spec[2] + '-aligned'));
          row.appendChild(cell);
        });
        var dir = m[8] === 2 ? 'direction unknown' : 'earlier: ' + outletOf(m[8] === 0 ? m[0] : m[3]);
        row.appendChild(add(el('div', 'ameta'), el('span', 'badge ' + KIND[m[6]], KIND[m[6]]),
          el('span', null, 'score ' + m[7].toFixed(2)), el('span', null, plural(m[10], 'word')),
          el('span', null, dir),
          m[9] === true ? el('span', 'credit', 'credits source') : m[9] === false ? el('span', 'nocredit', 'no credit') : null));
        table.appendChild(row);
      });
      host.appendChild(table);
    }
    // Open at the strongest passage (highest score, then most words).
    var best = matchIds.slice().sort(function (x, y) { return (M[y][7] - M[x][7]) || (M[y][10] - M[x][10]); })[0];
    if (best !== undefined) showMatch(best);
  }

  function legend() {
    var box = el('div', 'legend');
    add(box, add(el('span', 'key'), el('span', 'm verbatim', 'verbatim'), el('span', null, 'copied word for word')),
      add(el('span', 'key'), el('span', 'm reworded', 'reworded'), el('span', null, 'same passage, rewritten')),
      add(el('span', 'key'), el('span', 'm reworded changed', 'changed'), el('span', null, 'words that differ')),
      add(el('span', 'key'), el('span', 'm reworded moved', 'moved'), el('span', null, 'same words, moved')),
      DW.length ? add(el('span', 'key'), el('span', 'd verbatim', 'lifted'), el('span', null, 'words taken outside the passages')) : null,
      add(el('span', 'key'), el('span', 'q', 'quote'), el('span', 'spk', null), el('span', null, 'with its speaker')),
      add(el('span', 'key'), el('span', 'plain', 'unmatched text')),
      BP.length ? add(el('span', 'key'), el('span', 'bp', 'boilerplate'), el('span', null, 'left out of reuse')) : null);
    box.querySelector('.spk').setAttribute('data-speaker', 'speaker');
    return box;
  }

  function pairOf(a, b) {
    var i = pairIndex[a + '\n' + b];
    if (i === undefined) i = pairIndex[b + '\n' + a];
    return i === undefined ? null : { index: i };
  }
  function pairLink(a, b, text) {
    var found = pairOf(DOCS[a][0], DOCS[b][0]);
    if (!found) return el('span', null, text);
    var link = el('a', 'pair-link', text);
    link.setAttribute('href', pairHash(D.pairs[found.index]));
    return link;
  }

  function openFromHash() {
    var state = hashState();
    document.body.classList.toggle('pair-open', !!state.pair);
    if (!state.pair) { clear($('pair-view')); $('pair-view').hidden = true; return false; }
    var a = state.pair[0], b = state.pair[1];
    var found = pairOf(a, b);
    if (!found) {
      var host = $('pair-view');
      clear(host); host.hidden = false;
      host.appendChild(el('p', 'empty', 'No passages link ' + a + ' and ' + b + '.'));
      return true;
    }
    var p = D.pairs[found.index], dir = pairDirection(p);
    renderPairView(dir === 'b->a' ? p[1] : p[0], dir === 'b->a' ? p[0] : p[1], p[2]);
    return true;
  }

  /* ---------- quote families ---------- */
  var familyPage = 0;
  function renderFamilies() {
    var host = $('family-list');
    if (!host) return;
    clear(host);
    var shown = D.families.filter(function (f) {
      return anyPasses(f[1].map(function (qi) { return Q[qi][0]; }));
    });
    shown.slice(familyPage * PAGE, familyPage * PAGE + PAGE).forEach(function (f) {
      var card = el('div', 'family');
      card.setAttribute('data-family', f[0]);
      var origin = f[3] >= 0 ? f[3] : f[1][0];
      var oq = Q[origin];
      add(card, add(el('div', 'family-head'),
        el('span', 'family-quote', '“' + textOf(oq[0]).slice(oq[1], oq[2]) + '”'),
        el('span', 'count', plural(f[1].length, 'occurrence') + ' · ' + plural(f[2].length, 'outlet'))));
      var order = [origin].concat(f[1].filter(function (qi) { return qi !== origin; }));
      var table = el('table', 'variants');
      order.forEach(function (qi) {
        var q = Q[qi], tr = el('tr');
        var quoteCell = el('td', 'vq');
        var layers = [];
        for (var k = 0; k < q[11].length; k += 2) layers.push({ type: 'c', m: -1, s: q[11][k], e: q[11][k + 1] });
        var frag = document.createDocumentFragment(), text = textOf(q[0]);
        segments(q[0], layers, q[1], q[2]).forEach(function (seg) {
          var piece = text.slice(seg.s, seg.e);
          frag.appendChild(seg.changed ? el('mark', 'changed', piece) : document.createTextNode(piece));
        });
        quoteCell.appendChild(frag);
        /* every way the variant differs ("trimmed" and "reattributed"), else the one change */
        var changes = qi === origin ? ['original'] : (q[12] && q[12].length ? q[12] : [q[8] || 'variant']);
        var changeCell = el('td', 'vchange');
        changes.forEach(function (c) { changeCell.appendChild(el('span', 'change ' + c, c)); });
        var who = add(el('td', 'vwho'), el('span', 'outlet', outletOf(q[0])), el('span', 'date', dateOf(q[0]) || 'undated'));
        if (qi !== origin && q[0] !== oq[0]) {
          var link = pairLink(oq[0], q[0], 'compare with the original');
          if (link.tagName === 'A') who.appendChild(link);
        }
        add(tr, who,
          changeCell,
          quoteCell,
          add(el('td', 'vspeaker'), el('span', 'speaker-name', q[3] || 'no speaker'),
            q[9] ? el('span', 'cue', q[9]) : null, q[10] ? el('span', 'cue', 'medium: ' + q[10]) : null));
        table.appendChild(tr);
      });
      host.appendChild(add(card, table));
    });
    if (!shown.length) host.appendChild(el('p', 'empty', D.families.length ?
      'No quote families match the filters.' : 'No quotation was carried by more than one article.'));
    pager($('family-pager'), shown.length, familyPage, function (n) { familyPage = n; renderFamilies(); },
      'quote family', 'quote families');
  }

  /* ---------- stories on a timeline ---------- */
  var storyPage = 0;
  function dayOf(date) {
    var m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(date || '');
    return m ? Date.UTC(+m[1], +m[2] - 1, +(m[3] || 1)) / 86400000 : null;
  }
  function renderStories() {
    var host = $('story-list');
    if (!host) return;
    clear(host);
    var shown = D.stories.filter(function (s) { return anyPasses(s[1]); });
    var lo = Infinity, hi = -Infinity;
    shown.forEach(function (s) {
      s[1].forEach(function (di) { var d = dayOf(DOCS[di][2]); if (d !== null) { lo = Math.min(lo, d); hi = Math.max(hi, d); } });
    });
    var span = Math.max(1, hi - lo);
    if (lo < Infinity) {
      var axis = el('div', 'axis');
      add(axis, el('span', 'lo', new Date(lo * 86400000).toISOString().slice(0, 10)),
        el('span', 'hi', new Date(hi * 86400000).toISOString().slice(0, 10)));
      host.appendChild(axis);
    }
    shown.slice(storyPage * PAGE, storyPage * PAGE + PAGE).forEach(function (s) {
      var row = el('details', 'story');
      var head = el('summary');
      var label = el('span', 'story-label');
      add(label, el('strong', null, s[2] >= 0 ? (DOCS[s[2]][3] || DOCS[s[2]][0]) : s[0]),
        el('span', 'count', plural(s[1].length, 'article') + ' · ' + plural(s[3].length, 'outlet')));
      var track = el('span', 'track');
      s[1].forEach(function (di) {
        var d = dayOf(DOCS[di][2]);
        if (d === null) return;
        var dot = el('span', di === s[2] ? 'dot origin' : 'dot');
        dot.style.left = (lo < Infinity ? (d - lo) / span * 100 : 0) + '%';
        dot.setAttribute('title', outletOf(di) + ' · ' + dateOf(di) + ' · ' + (DOCS[di][3] || DOCS[di][0]));
        track.appendChild(dot);
      });
      add(head, label, track);
      var list = el('ol', 'story-docs');
      s[1].slice().sort(function (x, y) {
        return (dateOf(x) || '9').localeCompare(dateOf(y) || '9') || DOCS[x][0].localeCompare(DOCS[y][0]);
      }).forEach(function (di) {
        var name = DOCS[di][3] || DOCS[di][0];
        add(list, add(el('li', di === s[2] ? 'origin' : null), el('span', 'date', dateOf(di) || 'undated'),
          el('span', 'outlet', outletOf(di)),
          s[2] >= 0 && di !== s[2] ? pairLink(s[2], di, name) : el('span', 'title', name),
          di === s[2] ? el('span', 'badge origin', 'likely origin') : null));
      });
      host.appendChild(add(row, head, list));
    });
    if (!shown.length) host.appendChild(el('p', 'empty', D.stories.length ?
      'No stories match the filters.' : 'No articles are connected by reuse.'));
    pager($('story-pager'), shown.length, storyPage, function (n) { storyPage = n; renderStories(); },
      'story', 'stories');
  }

  /* ---------- start ---------- */
  if (D.mode === 'pair') {
    var only = D.pairs[0];
    if (only) {
      var dir = pairDirection(only);
      renderPairView(dir === 'b->a' ? only[1] : only[0], dir === 'b->a' ? only[0] : only[1], only[2]);
    } else {
      renderPairView(0, DOCS.length > 1 ? 1 : 0, []);
    }
  } else {
    var form = $('filters');
    if (form) {
      form.addEventListener('change', readFilters);
      form.addEventListener('submit', function (ev) { ev.preventDefault(); });
      form.addEventListener('reset', function () { setTimeout(readFilters, 0); });
    }
    if ($('pair-search')) {
      $('pair-search').addEventListener('input', function () { pairPage = 0; renderPairs(); });
    }
    applyHashFilters(hashState());
    readFilters(true);
    openFromHash();
    window.addEventListener('hashchange', function () {
      if (location.hash.indexOf('=') < 0 && location.hash.length > 1) return;  // a section link
      applyHashFilters(hashState());
      readFilters(true);
      if (openFromHash()) window.scrollTo(0, 0);
    });
  }
  // Script time, and time since navigation started (parse + JSON + first render): read by
  // the browser test and benchmarks/report_scale.py.
  document.documentElement.setAttribute('data-script-ms', Math.round(performance.now() - started));
  document.documentElement.setAttribute('data-script-start-ms', Math.round(started));
  document.documentElement.setAttribute('data-ready-ms', Math.round(performance.now()));
  document.documentElement.setAttribute('data-ready', 'yes');
})();
