// matterfile admin web: progressive enhancement only; every page works
// without this file. Loaded from 'self' (the Content-Security-Policy has
// no 'unsafe-inline'), so nothing here may be inlined in a page.
(function () {
  'use strict';
  // A copy button for one-time passwords, where the browser allows it.
  if (navigator.clipboard && window.isSecureContext) {
    document.querySelectorAll('button[data-copy]').forEach(function (b) {
      b.hidden = false;
      b.addEventListener('click', function () {
        var el = document.getElementById(b.getAttribute('data-copy'));
        if (!el) { return; }
        navigator.clipboard.writeText(el.textContent.trim()).then(function () {
          b.textContent = 'Copied';
        });
      });
    });
  }
  // After a refused form, put the keyboard on the message's field.
  var err = document.querySelector('[role="alert"][id]');
  if (err) {
    var field = document.querySelector('[aria-describedby~="' + err.id + '"]');
    if (field) { field.focus(); }
  }
})();
