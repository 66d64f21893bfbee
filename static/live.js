/* live.js - live updates on the home page (docs/internals/live.md).
 *
 * Progressive enhancement: the page is complete without it. Where
 * JavaScript runs, it listens to /api/v1/stream and, when articles arrive
 * that the page does not show, puts a banner at the top ("1 neue Meldung",
 * "3 neue Meldungen") whose link reloads the page; withdrawn articles
 * leave the page at once. */
(function () {
  'use strict';
  var main = document.getElementById('inhalt');
  if (!window.EventSource || !main || !main.hasAttribute('data-live')) return;
  var fresh = {}, count = 0, banner = null;

  function links(id) {
    /* Article links end in "-ID" (/artikel/SLUG-ID, absolute or not). */
    return main.querySelectorAll('a[href*="/artikel/"][href$="-' + id + '"]');
  }
  function show() {
    if (!banner) {
      banner = document.createElement('p');
      banner.className = 'live-banner';
      banner.setAttribute('role', 'status');
      banner.appendChild(document.createElement('a')).href = location.pathname;
      main.insertBefore(banner, main.firstChild);
    }
    banner.firstChild.textContent = (count === 1 ? '1 neue Meldung' : count + ' neue Meldungen') +
      ' \u2013 jetzt anzeigen';
  }
  function data(e) {
    try { return JSON.parse(e.data); } catch (x) { return {}; }
  }
  var es = new EventSource('/api/v1/stream');
  es.addEventListener('article', function (e) {
    var id = data(e).id;
    if (!id || fresh[id] || links(id).length) return; /* shown already: an update */
    fresh[id] = true;
    count++;
    show();
  });
  es.addEventListener('withdrawn', function (e) {
    var id = data(e).id;
    if (!id) return;
    Array.prototype.forEach.call(links(id), function (a) {
      var item = a.closest('li, article');
      if (item) item.remove();
    });
  });
  es.addEventListener('reset', function () {
    count = Math.max(count, 1);
    show();
  });
})();
