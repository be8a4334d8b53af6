// The status page's one script (allowed by its hash in the Content-Security-Policy). Every 5 s
// the page's live parts (elements with data-live and an id) are replaced by the same parts of a
// fresh copy fetched from data-refresh, unless "live" is unticked, the tab is hidden, the reader
// is typing in a field, or a checkbox marked data-hold (the delete confirmation) is ticked. The
// page works without it: a reload shows the same.
(function () {
  'use strict';
  var url = document.body.getAttribute('data-refresh');
  var live = document.getElementById('live');
  var state = document.getElementById('live-state');
  function logToEnd() {
    document.querySelectorAll('pre.log').forEach(function (p) { p.scrollTop = p.scrollHeight; });
  }
  logToEnd();
  if (!url || !live) {
    return;
  }
  var busy = false;
  function held() {
    var a = document.activeElement;
    var typing = a && (a.tagName === 'SELECT' || a.tagName === 'TEXTAREA' || (a.tagName === 'INPUT' && a.type !== 'checkbox'));
    return typing || document.querySelector('input[data-hold]:checked') !== null;
  }
  function replace(fresh) {
    document.querySelectorAll('[data-live][id]').forEach(function (old) {
      var now = fresh.getElementById(old.id);
      if (!now) {
        return;
      }
      var logs = old.querySelectorAll('pre.log');
      var atEnd = Array.prototype.map.call(logs, function (p) { return p.scrollTop + p.clientHeight >= p.scrollHeight - 4; });
      var tops = Array.prototype.map.call(logs, function (p) { return p.scrollTop; });
      var copy = document.importNode(now, true);
      old.replaceWith(copy);
      copy.querySelectorAll('pre.log').forEach(function (p, i) {
        p.scrollTop = atEnd[i] === false ? tops[i] : p.scrollHeight;
      });
    });
  }
  function refresh() {
    if (busy || !live.checked || document.hidden || held()) {
      return;
    }
    busy = true;
    fetch(url, { credentials: 'same-origin', cache: 'no-store', redirect: 'manual' })
      .then(function (r) {
        if (r.status !== 200) {
          throw new Error(r.status === 401 ? 'logged out: reload the page' : 'HTTP ' + r.status);
        }
        return r.text();
      })
      .then(function (html) {
        replace(new DOMParser().parseFromString(html, 'text/html'));
        state.textContent = '';
      })
      .catch(function (e) {
        state.textContent = '(' + e.message + ')';
      })
      .then(function () {
        busy = false;
      });
  }
  setInterval(refresh, 5000);
})();
