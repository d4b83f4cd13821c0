// Keyboard review of candidate matches: j/k move between candidates, c
// confirms, n marks not sure, r goes to the reject reason. The forms work
// without this script; it only presses their buttons.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll("article.candidate"));
  if (!items.length) { return; }
  var cur = -1;
  function select(i) {
    if (i < 0 || i >= items.length) { return; }
    if (cur >= 0) { items[cur].classList.remove("current"); }
    cur = i;
    items[cur].classList.add("current");
    items[cur].focus();
    items[cur].scrollIntoView({block: "nearest"});
  }
  function current() {
    if (cur < 0) {
      var f = document.activeElement && document.activeElement.closest ? document.activeElement.closest("article.candidate") : null;
      cur = f ? items.indexOf(f) : -1;
    }
    return cur >= 0 ? items[cur] : null;
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA")) { return; }
    var k = ev.key;
    if (k === "j") { select(cur + 1); ev.preventDefault(); return; }
    if (k === "k") { select(cur < 0 ? 0 : cur - 1); ev.preventDefault(); return; }
    var it = current();
    if (!it) { return; }
    var el = it.querySelector('[data-key="' + k + '"]');
    if (!el) { return; }
    ev.preventDefault();
    if (el.tagName === "SELECT") { el.focus(); } else { el.click(); }
  });
})();
