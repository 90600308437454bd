// Review queue keyboard shortcuts: j/k move between messages, 1-9 file
// the current one to that candidate, d dismisses it. The page works
// without this file: every action is a plain form.
(function () {
  'use strict';
  var items = Array.prototype.slice.call(document.querySelectorAll('[data-review-item]'));
  var help = document.getElementById('review-keys');
  if (!items.length) { return; }
  if (help) { help.hidden = false; }
  var cur = 0;
  function select(i) {
    if (i < 0 || i >= items.length) { return; }
    items[cur].classList.remove('current');
    cur = i;
    items[cur].classList.add('current');
    items[cur].focus({preventScroll: true});
    items[cur].scrollIntoView({block: 'nearest'});
  }
  function submit(form) {
    if (!form) { return; }
    var b = form.querySelector('button[type="submit"]');
    if (b) { b.disabled = true; }
    form.submit();
  }
  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || e.isComposing) { return; }
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) { return; }
    var item = items[cur];
    if (e.key === 'j') {
      select(cur + 1);
    } else if (e.key === 'k') {
      select(cur - 1);
    } else if (/^[1-9]$/.test(e.key)) {
      submit(item.querySelector('form[data-candidate="' + e.key + '"]'));
    } else if (e.key === 'd') {
      submit(item.querySelector('form[data-dismiss]'));
    } else {
      return;
    }
    e.preventDefault();
  });
})();
